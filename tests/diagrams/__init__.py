"""Tests of the diagram generator (stackplan/): static tier, no engine or VM needed."""
