"""rustorch.utils.data in the main process: collation, datasets, samplers, random_split and the DataLoader
(num_workers=0), compared with torch.utils.data where its results are deterministic. Worker processes:
test_data_workers.py."""
import collections
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as td

import rustorch
import rustorch.utils.data as rd
from conftest import DTYPE_PAIRS

Point = collections.namedtuple("Point", ["x", "y"])


def same_structure(got, expected, path="batch"):
    """Assert that a rustorch collate result equals torch's: the same containers (dict, list, namedtuple, ...),
    strings and numbers, and tensors of the same shape, dtype and values."""
    if isinstance(expected, torch.Tensor):
        assert isinstance(got, rustorch.Tensor), f"{path}: {type(got)} is not a rustorch.Tensor"
        assert tuple(got.shape) == tuple(expected.shape), f"{path}: shape {tuple(got.shape)} != {tuple(expected.shape)}"
        assert DTYPE_PAIRS[got.dtype] == expected.dtype, f"{path}: dtype {got.dtype} != {expected.dtype}"
        np.testing.assert_array_equal(got.numpy(), expected.numpy(), err_msg=path)
    elif isinstance(expected, dict):
        assert type(got) is type(expected) and list(got) == list(expected), f"{path}: {got!r} vs {expected!r}"
        for k in expected:
            same_structure(got[k], expected[k], f"{path}[{k!r}]")
    elif isinstance(expected, (list, tuple)):
        assert type(got) is type(expected) and len(got) == len(expected), f"{path}: {got!r} vs {expected!r}"
        for i, (g, e) in enumerate(zip(got, expected)):
            same_structure(g, e, f"{path}[{i}]")
    else:
        assert type(got) is type(expected) and got == expected, f"{path}: {got!r} != {expected!r}"


def nested_sample(lib, i):
    """One sample of every kind default_collate handles, nested in dicts, tuples, lists and a namedtuple."""
    return {
        "tensor": lib.tensor([[i, i + 1.5]], dtype=lib.float32),
        "long": lib.tensor(i),
        "array": np.full((2, 3), i, dtype=np.int32),
        "f16": np.array([i / 4], dtype=np.float16),
        "np_scalars": (np.float32(i / 2), np.int16(i), np.bool_(i % 2), np.float64(i / 3), np.uint8(i)),
        "numbers": [i, i * 0.25, bool(i % 2)],
        "text": ("name%d" % i, b"raw"),
        "point": Point(lib.tensor([i]), float(i)),
        "deep": {"inner": [(np.int64(i), {"leaf": i})]},
    }


def test_default_collate_nested_matches_torch():
    rt = rd.default_collate([nested_sample(rustorch, i) for i in range(3)])
    th = td.default_collate([nested_sample(torch, i) for i in range(3)])
    same_structure(rt, th)
    assert isinstance(rt["point"], Point)


@pytest.mark.parametrize("batch", [
    [0, 1, 2], [0.5, 1.5], [True, False], ["a", "b"], [(1, 2), (3, 4)], [[1, 2], [3, 4]],
    [np.float32(1), np.float32(2)], [np.int64(3), np.float32(2)], [np.array(1.5), np.array(2.5)],
    [{"a": 1, "b": [0.5]}, {"a": 2, "b": [1.5]}], [Point(0, 1), Point(2, 3)],
    [collections.OrderedDict(a=1), collections.OrderedDict(a=2)], [range(3), range(3)],
    [np.array([1, 2], np.int32), np.array([0.5, 1.5], np.float32)],  # mixed dtypes promote as torch.stack
    [np.ones((2, 4), np.float64)[:, ::2], np.arange(4.0).reshape(2, 2).T],  # non-contiguous arrays
])
def test_default_collate_simple_matches_torch(batch):
    same_structure(rd.default_collate(batch), td.default_collate(batch))


def test_default_convert_matches_torch():
    sample = {"a": np.arange(3), "b": 3, "c": (np.float32(0.5), "s"), "d": [np.ones((2, 2), np.float64)],
              "e": Point(np.int8(1), 2), "f": np.array(["x", "y"])}
    rt, th = rd.default_convert(sample), td.default_convert(sample)
    assert rt["f"] is sample["f"]  # arrays of strings stay arrays
    del rt["f"], th["f"]
    same_structure(rt, th)
    t = rustorch.ones(2)
    assert rd.default_convert(t) is t


def test_collate_errors():
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        rd.default_collate([object(), object()])
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        rd.default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(RuntimeError, match="equal size"):
        rd.default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="stack"):
        rd.default_collate([rustorch.zeros(2), rustorch.zeros(3)])
    with pytest.raises(ValueError, match="empty batch"):
        rd.default_collate([])


def test_collate_fn_map_extension():
    from rustorch.utils.data._utils.collate import collate, default_collate_fn_map

    def as_list(batch, *, collate_fn_map=None):
        return list(batch)

    custom = {**default_collate_fn_map, float: as_list}
    out = collate([{"a": 0.5, "b": 1}, {"a": 1.5, "b": 2}], collate_fn_map=custom)
    assert out["a"] == [0.5, 1.5] and out["b"].tolist() == [1, 2]


# datasets ---------------------------------------------------------------------------------------
def test_tensor_dataset():
    x, y = rustorch.arange(12).view(4, 3), rustorch.tensor([0, 1, 0, 1])
    ds = rd.TensorDataset(x, y)
    assert len(ds) == 4
    a, b = ds[2]
    assert a.tolist() == [6, 7, 8] and b.item() == 0
    with pytest.raises(RuntimeError, match=r"size mismatch.*\[4, 3\]"):
        rd.TensorDataset(x, rustorch.zeros(3))
    with pytest.raises(TypeError):
        rd.TensorDataset(x, [1, 2, 3, 4])


def test_concat_chain_subset_stack_match_torch():
    parts = [list(range(3)), list(range(10, 12)), list(range(20, 24))]
    rt, th = rd.ConcatDataset(parts), td.ConcatDataset(parts)
    assert len(rt) == len(th) and rt.cumulative_sizes == th.cumulative_sizes
    assert [rt[i] for i in range(-len(th), len(th))] == [th[i] for i in range(-len(th), len(th))]
    with pytest.raises(IndexError):
        rt[len(th)]
    assert (rd.Subset(parts[0], [0]) + rd.Subset(parts[1], [1]))[1] == 11  # Dataset + Dataset
    with pytest.raises(TypeError, match="IterableDataset"):
        rd.ConcatDataset([CountTo(2)])

    chain = CountTo(2) + CountTo(3)
    assert isinstance(chain, rd.ChainDataset) and list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5
    with pytest.raises(TypeError, match="only supports IterableDataset"):
        list(rd.ChainDataset([CountTo(1), [5]]))

    sub = rd.Subset(parts[2], [3, 1])
    assert len(sub) == 2 and [sub[0], sub[1]] == [23, 21] and sub.__getitems__([1, 0]) == [21, 23]

    class Overriding(rd.Subset):
        def __getitem__(self, idx):
            return 0
    with pytest.raises(NotImplementedError, match="__getitems__"):
        Overriding(parts[0], [0])

    st = rd.StackDataset(parts[0], [5, 6, 7])
    assert st[1] == (1, 6) and st.__getitems__([0, 2]) == [(0, 5), (2, 7)]
    named = rd.StackDataset(a=parts[0], b=[5, 6, 7])
    assert named[2] == {"a": 2, "b": 7} and named.__getitems__([1]) == [{"a": 1, "b": 6}]
    with pytest.raises(ValueError, match="size mismatch"):
        rd.StackDataset(parts[0], parts[1])


@pytest.mark.parametrize("n, lengths", [
    (10, [3, 7]), (10, [0.3, 0.7]), (11, [0.5, 0.5]), (30, [0.1, 0.2, 0.3, 0.4]), (7, [1 / 3] * 3), (5, [5, 0]),
])
def test_random_split_sizes_match_torch(n, lengths):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-length splits warn, in both libraries
        rt = rd.random_split(range(n), lengths, generator=rustorch.Generator().manual_seed(1))
        th = td.random_split(range(n), lengths, generator=torch.Generator().manual_seed(1))
    assert [len(s) for s in rt] == [len(s) for s in th]
    flat = [i for s in rt for i in s]
    assert sorted(flat) == list(range(n))  # disjoint and covering


def test_random_split_reproducible_and_errors():
    def split(gen):
        return [list(s) for s in rd.random_split(range(20), [5, 15], generator=gen)]
    assert split(rustorch.Generator().manual_seed(3)) == split(rustorch.Generator().manual_seed(3))
    assert split(rustorch.Generator().manual_seed(3)) != split(rustorch.Generator().manual_seed(4))
    rustorch.manual_seed(5)
    a = split(rustorch.random.default_generator)
    rustorch.manual_seed(5)
    assert [list(s) for s in rd.random_split(range(20), [5, 15])] == a  # default: the default generator
    with pytest.warns(UserWarning, match="index 1 is 0"):
        rd.random_split(range(2), [1.0, 0.0])
    for bad in ([3, 3], [0.5, 0.6]):
        with pytest.raises(ValueError, match="lengths"):
            rd.random_split(range(10), bad)
        with pytest.raises(ValueError):
            td.random_split(range(10), bad)
    with pytest.raises(ValueError, match="non-negative"):  # torch returns a broken split here
        rd.random_split(range(10), [-1, 11])


# samplers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("n, batch_size, drop_last", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False),
                                                      (2, 5, True), (0, 2, False)])
def test_sequential_and_batch_sampler_match_torch(n, batch_size, drop_last):
    rt = rd.BatchSampler(rd.SequentialSampler(range(n)), batch_size, drop_last)
    th = td.BatchSampler(td.SequentialSampler(range(n)), batch_size, drop_last)
    assert list(rt) == list(th) and len(rt) == len(th)
    assert list(rd.SequentialSampler(range(n))) == list(range(n))


@pytest.mark.parametrize("make", [
    lambda lib: lib.BatchSampler(range(3), 0, False), lambda lib: lib.BatchSampler(range(3), 2, 1),
    lambda lib: lib.BatchSampler(range(3), True, False), lambda lib: lib.RandomSampler(range(3), num_samples=0),
    lambda lib: lib.RandomSampler([]), lambda lib: lib.RandomSampler(range(3), replacement=1),
    lambda lib: lib.WeightedRandomSampler([1.0], 0), lambda lib: lib.WeightedRandomSampler([1.0], 1, replacement=0),
    lambda lib: lib.WeightedRandomSampler([[1.0]], 1),
])
def test_sampler_argument_errors_match_torch(make):
    with pytest.raises(Exception) as expected:
        make(td)
    with pytest.raises(expected.type):
        make(rd)


def test_random_sampler():
    n = 17
    s = rd.RandomSampler(range(n))
    epochs = [list(s) for _ in range(3)]
    assert all(sorted(e) == list(range(n)) for e in epochs)  # a permutation each epoch
    assert epochs[0] != epochs[1] != epochs[2]  # reshuffled each epoch
    rustorch.manual_seed(11)
    a = list(s)
    rustorch.manual_seed(11)
    assert list(s) == a  # reproducible with the default generator
    g1, g2 = rustorch.Generator().manual_seed(2), rustorch.Generator().manual_seed(2)
    assert list(rd.RandomSampler(range(n), generator=g1)) == list(rd.RandomSampler(range(n), generator=g2))
    # more samples than the dataset: one permutation after another, then part of one
    long = list(rd.RandomSampler(range(5), num_samples=12))
    assert len(long) == 12 and sorted(long[:5]) == sorted(long[5:10]) == list(range(5)) and len(set(long[10:])) == 2
    assert len(rd.RandomSampler(range(5), num_samples=12)) == 12
    drawn = list(rd.RandomSampler(range(4), replacement=True, num_samples=100))
    assert len(drawn) == 100 and set(drawn) == {0, 1, 2, 3}
    assert len(rd.RandomSampler(range(4), replacement=True)) == 4


def test_subset_and_weighted_samplers():
    idx = [10, 4, 7, 1]
    s = rd.SubsetRandomSampler(idx, generator=rustorch.Generator().manual_seed(0))
    assert sorted(s) == sorted(idx) and len(s) == 4
    w = rd.WeightedRandomSampler([0.0, 3.0, 1.0, 0.0], 4000, generator=rustorch.Generator().manual_seed(0))
    counts = np.bincount(list(w), minlength=4)
    assert counts[0] == counts[3] == 0 and 2700 < counts[1] < 3300 and len(w) == 4000
    no_rep = rd.WeightedRandomSampler(rustorch.tensor([0.1, 0.9, 0.4, 0.7, 3.0, 0.6]), 5, replacement=False)
    drawn = list(no_rep)
    assert len(drawn) == len(set(drawn)) == 5
    with pytest.raises(RuntimeError):  # as torch: more draws than positive... categories without replacement
        list(rd.WeightedRandomSampler([1.0, 2.0], 3, replacement=False))


@pytest.mark.parametrize("n, replicas, drop_last", [(10, 3, False), (10, 3, True), (9, 3, False), (2, 4, False)])
def test_distributed_sampler_matches_torch_without_shuffle(n, replicas, drop_last):
    for rank in range(replicas):
        rt = rd.DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        th = td.DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(rt) == list(th) and len(rt) == len(th)


def test_distributed_sampler_shuffle():
    def shards(epoch):
        samplers = [rd.DistributedSampler(range(12), 3, r, seed=5) for r in range(3)]
        for s in samplers:
            s.set_epoch(epoch)
        return [list(s) for s in samplers]
    assert sorted(i for shard in shards(0) for i in shard) == list(range(12))
    assert shards(0) == shards(0) and shards(0) != shards(1)
    with pytest.raises(RuntimeError, match="num_replicas"):
        rd.DistributedSampler(range(3))
    with pytest.raises(ValueError, match="rank"):
        rd.DistributedSampler(range(3), 2, 2)


# DataLoader in the main process ------------------------------------------------------------------
def to_lists(batches):
    """Batches (tensors, or lists/tuples of them) as nested Python lists."""
    if isinstance(batches, (rustorch.Tensor, torch.Tensor)):
        return batches.tolist()
    return [to_lists(b) for b in batches]


@pytest.mark.parametrize("kwargs", [
    {}, {"batch_size": 4}, {"batch_size": 4, "drop_last": True}, {"batch_size": 20}, {"batch_size": None},
    {"batch_size": 3, "sampler": [9, 0, 4, 4, 1]}, {"batch_sampler": [[1, 2], [0], [9, 8, 7]]},
])
def test_dataloader_order_matches_torch(kwargs):
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    rt_loader = rd.DataLoader(rd.TensorDataset(rustorch.tensor(x), rustorch.arange(10)), **kwargs)
    th_loader = td.DataLoader(td.TensorDataset(torch.tensor(x), torch.arange(10)), **kwargs)
    rt, th = list(rt_loader), list(th_loader)
    assert len(rt_loader) == len(th_loader) == len(th)
    assert to_lists(rt) == to_lists(th)
    for (a, b), (c, d) in zip(rt, th):
        assert DTYPE_PAIRS[a.dtype] == c.dtype and DTYPE_PAIRS[b.dtype] == d.dtype


def test_dataloader_shuffle():
    loader = rd.DataLoader(range(23), batch_size=5, shuffle=True)
    epochs = [[i for b in loader for i in b.tolist()] for _ in range(3)]
    assert all(sorted(e) == list(range(23)) for e in epochs)
    assert epochs[0] != epochs[1] != epochs[2]
    rustorch.manual_seed(0)
    a = to_lists(loader)
    rustorch.manual_seed(0)
    assert to_lists(loader) == a  # rustorch.manual_seed makes the order reproducible
    by_gen = [to_lists(rd.DataLoader(range(23), batch_size=5, shuffle=True,
                                     generator=rustorch.Generator().manual_seed(9))) for _ in range(2)]
    assert by_gen[0] == by_gen[1]


def test_dataloader_collate_fn_and_dict_samples():
    class Records(rd.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"id": i, "name": f"r{i}", "x": np.full(2, i, np.float32)}

    batches = list(rd.DataLoader(Records(), batch_size=2))
    assert [b["name"] for b in batches] == [["r0", "r1"], ["r2", "r3"], ["r4"]]
    assert batches[0]["x"].dtype is rustorch.float32 and batches[2]["id"].tolist() == [4]
    assert list(rd.DataLoader(Records(), batch_size=5, collate_fn=len)) == [5]
    # batch_size=None: default_convert, one sample at a time
    one = next(iter(rd.DataLoader(Records(), batch_size=None)))
    assert one["id"] == 0 and isinstance(one["x"], rustorch.Tensor)


class CountTo(rd.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_dataloader_iterable_dataset():
    assert to_lists(rd.DataLoader(CountTo(7), batch_size=3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert to_lists(rd.DataLoader(CountTo(7), batch_size=3, drop_last=True)) == [[0, 1, 2], [3, 4, 5]]
    loader = rd.DataLoader(CountTo(7), batch_size=3)
    assert len(loader) == len(td.DataLoader(CountTo(7), batch_size=3)) == 3
    assert len(rd.DataLoader(CountTo(7), batch_size=3, drop_last=True)) == 2

    class Liar(CountTo):
        def __len__(self):
            return 2
    lying = rd.DataLoader(Liar(4), batch_size=None)
    len(lying)
    with pytest.warns(UserWarning, match="was reported to be 2"):
        list(lying)


@pytest.mark.parametrize("kwargs", [
    {"num_workers": -1}, {"timeout": -1}, {"prefetch_factor": 2}, {"persistent_workers": True},
    {"shuffle": True, "sampler": [0, 1]}, {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "drop_last": True}, {"batch_size": None, "drop_last": True},
    {"num_workers": 1, "multiprocessing_context": "no-such-method"}, {"multiprocessing_context": "fork"},
])
def test_dataloader_argument_errors_match_torch(kwargs):
    with pytest.raises(ValueError):
        td.DataLoader(range(3), **kwargs)
    with pytest.raises(ValueError):
        rd.DataLoader(range(3), **kwargs)


def test_dataloader_iterable_dataset_rejects_sampler_options():
    for kwargs in ({"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}):
        with pytest.raises(ValueError, match="IterableDataset"):
            rd.DataLoader(CountTo(3), **kwargs)


def test_dataloader_attributes_frozen_and_pin_memory():
    loader = rd.DataLoader(range(4), batch_size=2)
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 3
    loader.num_workers = 0  # not frozen, as torch
    with pytest.warns(UserWarning, match="pin_memory"):
        assert to_lists(rd.DataLoader(range(4), batch_size=2, pin_memory=True)) == [[0, 1], [2, 3]]


def test_dataloader_draws_base_seed_like_torch():
    """Each epoch draws one int64 from the generator for the workers' base seed (even without workers), then
    the sampler's seed: the default generator advances by the same draws as torch's."""
    rustorch.manual_seed(4)
    list(rd.DataLoader(range(3), batch_size=2))
    after = rustorch.rand(2)
    rustorch.manual_seed(4)
    rustorch.empty((), dtype=rustorch.int64).random_()
    assert rustorch.equal(after, rustorch.rand(2))
