"""The lecture's lab, a layer on top of `autograd.nn`: data sets, the seeded experiments and TensorBoard logging.

    from autograd.lab.data import xor
    from autograd.lab.experiments import vanishing_gradients
    from autograd.lab.tensorboard import TensorBoardLogger

The engine, `autograd.compiled` and `autograd.nn` never import this package.
"""
