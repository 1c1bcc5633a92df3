"""stackplan's tooling: architecture diagrams generated from a CDK cloud assembly and local configs."""
