"""The AWS side of stackplan: one CDK stack per concept, composed per environment in stage.py."""
