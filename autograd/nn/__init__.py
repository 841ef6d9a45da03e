"""Neural networks on the scalar engine: micrograd's Neuron/Layer/MLP with the lab's options.

    from autograd.nn import MLP, fit
    from autograd.lab.data import xor
    X, y = xor()
    model = MLP(2, [2, 1], activation="sigmoid", seed=0)
    history = fit(model, X, y, loss="bce", optimizer="sgd", lr=0.1, steps=10_000)
"""
from .activations import (ACTIVATIONS, elu, get_activation, identity, leaky_relu, maxout, relu, sigmoid,
                          sigmoid_fused, tanh)
from .dropout import Dropout
from .ensemble import Ensemble
from .init import INITS, get_init, he, make_rng, normal, uniform, xavier, zeros
from .losses import LOSSES, bce, get_loss, hinge, l2, mse
from .export import to_torch
from .io import load, save
from .mlp import MLP
from .multiclass import Probabilities, argmax_accuracy, cross_entropy, log_softmax, one_hot, softmax
from .module import Layer, MaxoutNeuron, Module, Neuron
from .optim import OPTIMIZERS, SGD, Adam, Optimizer, make_optimizer
from .rbm import RBM, pretrain_autoencoder, pretrain_rbm
from .modes import tape_status
from .train import STEP_MODES, History, accuracy, evaluate, fit, predict

__all__ = [
    "Module", "Neuron", "MaxoutNeuron", "Layer", "MLP", "Dropout", "Ensemble",
    "ACTIVATIONS", "get_activation", "sigmoid", "sigmoid_fused", "tanh", "relu", "leaky_relu", "elu", "maxout",
    "identity",
    "INITS", "get_init", "make_rng", "normal", "uniform", "xavier", "he", "zeros",
    "LOSSES", "get_loss", "bce", "mse", "hinge", "l2",
    "Optimizer", "SGD", "Adam", "OPTIMIZERS", "make_optimizer",
    "History", "fit", "evaluate", "predict", "accuracy", "STEP_MODES", "tape_status",
    "RBM", "pretrain_rbm", "pretrain_autoencoder",
    "softmax", "log_softmax", "Probabilities", "cross_entropy", "one_hot", "argmax_accuracy",
    "save", "load", "to_torch",
]
