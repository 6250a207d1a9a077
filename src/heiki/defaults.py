"""The deployment target and the documented placeholders of a deployment target when none is given: where templates are
"deployed" for evaluation (``--subscription``, ``--resource-group``, ``--location``). Kept apart
from the loaders so that the command line can name them without importing them."""

from dataclasses import dataclass

DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
DEFAULT_TENANT = "00000000-0000-0000-0000-000000000000"
DEFAULT_RESOURCE_GROUP = "rg-heiki"
DEFAULT_LOCATION = "japaneast"
DEFAULT_DEPLOYMENT = "heiki"


@dataclass(frozen=True)
class DeploymentTarget:
    """Where the templates are deployed (``--subscription``, ``--resource-group``,
    ``--location``); the defaults are documented placeholders."""

    subscription_id: str = DEFAULT_SUBSCRIPTION
    resource_group: str = DEFAULT_RESOURCE_GROUP
    location: str = DEFAULT_LOCATION
