"""Helpers shared by the test tiers (static, docker, ansible, vm)."""
