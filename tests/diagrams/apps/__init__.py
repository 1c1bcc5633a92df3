"""Small CDK apps of other shapes than stackplan's own, synthesized by the tests.

Each module has ``build(outdir) -> Path``: it synthesizes the app into ``outdir`` and returns it.
They prove the generator reads any cloud assembly, not only the one it was written for.
"""
