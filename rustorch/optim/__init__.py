"""Optimizers and learning-rate schedulers, as torch.optim: ``import rustorch.optim as optim``.

Each optimizer keeps torch's names, defaults, parameter groups and state-dict layout, and follows torch's
update formulas op by op. SGD, Adam/AdamW, RMSprop and Adagrad update a whole parameter group in one backend
call where the backend has the fused kernel (the CPU: float32 and float64), as torch's foreach/fused paths;
the per-parameter steps composed from tensor ops are the reference and run everywhere else.

>>> import rustorch
>>> import rustorch.optim as optim
>>> model = rustorch.nn.Linear(2, 1)
>>> opt = optim.Adam(model.parameters(), lr=0.01)
>>> sched = optim.lr_scheduler.StepLR(opt, step_size=10)
>>> loss = model(rustorch.ones(4, 2)).pow(2).mean()
>>> loss.backward(); opt.step(); sched.step(); opt.zero_grad()
>>> sched.get_last_lr()
[0.01]
"""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "ASGD", "LBFGS", "lr_scheduler", "NAdam", "Optimizer",
           "RAdam", "RMSprop", "Rprop", "SGD"]
