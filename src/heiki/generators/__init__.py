"""Generators: the environment as infrastructure code and as change lists for other teams."""
