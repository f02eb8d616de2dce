"""Train a small CNN on scikit-learn's handwritten digits: ``python -m rustorch.examples.train_digits``.

The data set is the 1,797 8x8 grey images that scikit-learn ships (no download), split once into 1,437
training and 360 test images (stratified, ``random_state=0``). The model is two 3x3 convolutions, a 2x2
max pool and two linear layers, trained with Adam and a cosine learning-rate schedule. Each epoch shows a
tqdm bar with the running loss and accuracy; at the end the test accuracy is printed and the weights are
written with ``rustorch.save``, a file that ``torch.load`` reads.

``--compare-torch`` trains the same model in torch afterwards: the same initial weights (copied from
rustorch's model), the same batches in the same order, the same schedule; it prints both wall times and
their ratio. The training code below is one function, called once with ``rustorch`` and once with
``torch`` as ``lib``: the same source runs in both libraries.

Options: --epochs (20), --batch-size (64), --lr (3e-3), --seed (0), --device (cpu), --save PATH
(digits_cnn.pt; '' to skip), --compare-torch.
"""
import argparse
import importlib
import sys
import time

import numpy as np

import rustorch


def load_digits_split():
    """(x_train, y_train, x_test, y_test): float32 images (N, 1, 8, 8) scaled to [0, 1] and int64 labels."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as e:
        raise SystemExit("train_digits needs scikit-learn for its data set: pip install -e \".[train]\"") from e
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    x_train, x_test, y_train, y_test = train_test_split(images, digits.target.astype(np.int64), test_size=360,
                                                        random_state=0, stratify=digits.target)
    return x_train, y_train, x_test, y_test


def make_model(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 4 * 4, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )


class EpochShuffle:
    """A sampler that draws each epoch's order from a NumPy generator, so that both libraries see the same
    batches in the same order (their own RNGs differ)."""

    def __init__(self, n, seed):
        self.n = n
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return self.n

    def __iter__(self):
        return iter(self.rng.permutation(self.n).tolist())


def train(lib, data, args, initial_state):
    """Train in ``lib`` (rustorch or torch) from ``initial_state`` (NumPy arrays by state_dict key); returns
    (model, test accuracy, seconds spent training)."""
    from tqdm import tqdm

    x_train, y_train, x_test, y_test = data
    lib.manual_seed(args.seed)
    device = lib.device(args.device)
    model = make_model(lib)
    model.load_state_dict({k: lib.from_numpy(v.copy()) for k, v in initial_state.items()})
    model.to(device)
    train_set = lib.utils.data.TensorDataset(lib.from_numpy(x_train), lib.from_numpy(y_train))
    loader = lib.utils.data.DataLoader(train_set, batch_size=args.batch_size,
                                       sampler=EpochShuffle(len(train_set), args.seed))
    optimizer = lib.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = lib.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    loss_fn = lib.nn.CrossEntropyLoss()

    start = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        total_loss, correct, seen = 0.0, 0, 0
        bar = tqdm(loader, desc=f"{lib.__name__} epoch {epoch + 1}/{args.epochs}", leave=False,
                   disable=args.quiet, file=sys.stdout)
        for images, labels in bar:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            loss = loss_fn(logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(labels)
            correct += (logits.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}")
        scheduler.step()
        if not args.quiet:
            print(f"{lib.__name__} epoch {epoch + 1}/{args.epochs}: loss {total_loss / seen:.4f}, "
                  f"train accuracy {correct / seen:.3f}")
    seconds = time.perf_counter() - start
    return model, evaluate(lib, model, x_test, y_test, device), seconds


def evaluate(lib, model, images, labels, device):
    model.eval()
    with lib.no_grad():
        predicted = model(lib.from_numpy(images).to(device)).argmax(dim=1).cpu().numpy()
    return float((predicted == labels).mean())


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--save", default="digits_cnn.pt", help="checkpoint path ('' to skip)")
    parser.add_argument("--compare-torch", action="store_true", help="train the same model in torch and compare")
    parser.add_argument("--quiet", action="store_true", help="no progress bars or per-epoch lines")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or args.lr <= 0:
        parser.error("--epochs and --batch-size must be positive and --lr above 0")
    return args


def main(argv=None):
    """Train, report, save; returns the test accuracy."""
    args = parse_args(argv)
    data = load_digits_split()
    rustorch.manual_seed(args.seed)
    initial_state = {k: v.numpy() for k, v in make_model(rustorch).state_dict().items()}
    model, accuracy, seconds = train(rustorch, data, args, initial_state)
    print(f"rustorch: test accuracy {accuracy:.4f} ({round(accuracy * 360)}/360) after {args.epochs} epochs, "
          f"{seconds:.1f} s")
    if args.save:
        rustorch.save(model.state_dict(), args.save)
        print(f"saved the model's state_dict to {args.save} (torch.load reads it)")
    if args.compare_torch:
        torch = importlib.import_module("torch")  # only here: rustorch itself never needs torch
        torch.set_num_threads(rustorch.get_num_threads())
        _, torch_accuracy, torch_seconds = train(torch, data, args, initial_state)
        print(f"torch:    test accuracy {torch_accuracy:.4f} after {args.epochs} epochs, {torch_seconds:.1f} s")
        print(f"wall time rustorch / torch: {seconds / torch_seconds:.2f}")
    return accuracy


if __name__ == "__main__":
    main()
