"""Interventions: the contract, the registry, and one module per intervention."""
