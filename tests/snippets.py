"""Small blueprints shared by several test modules."""

MINIMAL = """\
name: mini
location: japaneast
onprem:
  address_space: [192.168.0.0/16]
  dns:
    servers: [192.168.0.53]
hub:
  address_space: 10.0.0.0/16
  gateway: vpn
  firewall: {sku: standard}
  dns: private-resolver
spokes:
  ml:
    address_space: 10.1.0.0/16
    egress: [azure-ml, pypi]
    workspace:
      name: mlw-mini
      compute:
        instances: [ci-one]
"""
