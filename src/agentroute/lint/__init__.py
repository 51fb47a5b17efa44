"""Checks for agent authors: findings and their code table, file checks and routing checks."""
