"""``rustorch.save`` and ``rustorch.load``: torch's zip checkpoint format, read and written without torch.

A file ``rustorch.save`` writes loads with ``torch.load`` (``weights_only=True`` included) and a file
``torch.save`` writes loads with ``rustorch.load``. The layout is torch's (torch/serialization.py,
``_save``): a zip archive, every record uncompressed inside one folder ``<name>/`` and starting at a
multiple of 64 bytes in the file (so that a loader may map it)::

    <name>/data.pkl                 the object, pickled (protocol 2), each storage replaced by the
                                    persistent id ('storage', torch.<Type>Storage, key, location, numel)
    <name>/.format_version          '1'
    <name>/.storage_alignment       '64'
    <name>/byteorder                'little' or 'big'
    <name>/data/<key>               one storage's bytes, each storage once however many views share it
    <name>/version                  '3\\n'
    <name>/.data/serialization_id   40 digits naming this file

In data.pkl a tensor is ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
OrderedDict())``, a Parameter ``torch._utils._rebuild_parameter(tensor, requires_grad, OrderedDict())``,
and dtypes, devices and sizes are the globals ``torch.float32``, ``torch.device``, ``torch.Size``: all of
them on the allow-list of torch's weights-only unpickler. rustorch writes these names without importing
torch, and maps them back to its own tensors, Parameters, dtypes, devices and sizes when it loads.

>>> import io, rustorch
>>> buf = io.BytesIO()
>>> rustorch.save({"w": rustorch.arange(3.0)}, buf)
>>> _ = buf.seek(0)
>>> rustorch.load(buf)
{'w': tensor([0., 1., 2.])}
"""
import _compat_pickle
import codecs
import collections
import io
import os
import pickle
import struct
import sys
import zipfile
import zlib

import numpy as np

from . import _dtype
from ._device import device
from .backends.registry import get_backend
from .errors import (BackendUnavailableError, DeviceError, InvalidArgumentError, InvalidTypeError, RusTorchError,
                     SerializationError, UnpicklingError)
from .nn.parameter import Parameter
from .tensor import Size, Storage, Tensor, _make

DEFAULT_PROTOCOL = 2  # torch's: its weights-only unpickler reads only protocol-2 opcodes
_ALIGNMENT = 64
_ZIP64_FROM = 1 << 31  # records of this many bytes or more get zip64 sizes (zipfile needs them past 4 GiB)
_FORMAT_VERSION = b"1"
_ARCHIVE_VERSION = b"3\n"  # what torch 2.13 writes in <name>/version
# torch.save's first bytes in its legacy (pre-1.6) format: pickle protocol 2, then the long 0x1950a86a20f9469cfc6c
_LEGACY_MAGIC = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"

# rustorch dtype name -> the typed-storage class torch pickles for it
_STORAGE_NAMES = {
    "bool": "BoolStorage", "uint8": "ByteStorage", "int8": "CharStorage", "int16": "ShortStorage",
    "int32": "IntStorage", "int64": "LongStorage", "float16": "HalfStorage", "bfloat16": "BFloat16Storage",
    "float32": "FloatStorage", "float64": "DoubleStorage", "complex64": "ComplexFloatStorage",
    "complex128": "ComplexDoubleStorage",
}


# saving -------------------------------------------------------------------------------------------------------


class _Global:
    """A global of another module (torch's), written into the pickle by name without importing that module.

    pickle writes a function or class as ``GLOBAL module name`` only after importing the module to check
    the name; ``_Pickler`` writes these directly instead.
    """

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle's save_reduce accepts only callables as the function of a reduce
        raise InvalidTypeError(f"{self.module}.{self.name} is a name written into a checkpoint, not a function")


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_TORCH_DEVICE = _Global("torch", "device")
_TORCH_SIZE = _Global("torch", "Size")
_DTYPE_GLOBALS = {d: _Global("torch", d.name) for d in _dtype.ALL_DTYPES}
_STORAGE_GLOBALS = {d: _Global("torch", _STORAGE_NAMES[d.name]) for d in _dtype.ALL_DTYPES}


class _SavedStorage:
    """A storage in the pickle: written as its persistent id, its bytes go to the record data/<key>."""

    __slots__ = ("pid", "storage", "dtype")

    def __init__(self, pid, storage, dtype):
        self.pid, self.storage, self.dtype = pid, storage, dtype


def _location(d):
    # torch's location tags: 'cpu', and 'cuda:0' (always with an index) for the other devices
    return "cpu" if d.type == "cpu" else f"{d.type}:{d.index or 0}"


class _Pickler(pickle._Pickler):
    """pickle's Python Pickler, writing rustorch tensors, dtypes, devices and sizes under torch's names.

    The Python Pickler (not the C one) because only it lets a subclass write a GLOBAL opcode for a name
    of a module that is not imported (torch's); data.pkl holds only metadata, so its speed is enough.
    """

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}  # id(Storage) -> _SavedStorage, in the order first seen (torch's key order)

    def persistent_id(self, obj):
        return obj.pid if type(obj) is _SavedStorage else None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            if isinstance(obj, Parameter):
                return _REBUILD_PARAMETER, (obj.detach(), obj.requires_grad, collections.OrderedDict())
            return _REBUILD_TENSOR, (self._storage(obj), obj._offset, tuple(obj._shape), tuple(obj._stride),
                                     obj.requires_grad, collections.OrderedDict())
        if isinstance(obj, Size):
            return _TORCH_SIZE, (tuple(obj),)
        if isinstance(obj, device):
            return _TORCH_DEVICE, (obj.type,) if obj.index is None else (obj.type, obj.index)
        return NotImplemented

    def _storage(self, t):
        storage = t._storage
        saved = self.storages.get(id(storage))
        if saved is None:
            pid = ("storage", _STORAGE_GLOBALS[t.dtype], str(len(self.storages)), _location(storage.device),
                   len(storage.data))
            saved = self.storages[id(storage)] = _SavedStorage(pid, storage, t.dtype)
        elif saved.dtype is not t.dtype:
            raise SerializationError(f"save(): cannot save tensors that view the same storage as different dtypes "
                                     f"({saved.dtype} and {t.dtype}), as torch cannot; save a copy of one of them")
        return saved

    def _save_global(self, obj):
        if self.proto >= 4:
            self.save(obj.module)
            self.save(obj.name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("ascii"))
        self.memoize(obj)

    def _save_dtype(self, obj):
        self.save(_DTYPE_GLOBALS[obj])

    dispatch[_Global] = _save_global
    dispatch[_dtype.dtype] = _save_dtype


def _storage_bytes(saved):
    """A storage's whole buffer as bytes on the host (the CPU buffer itself, not a copy)."""
    storage = saved.storage
    whole = _make(storage, (len(storage.data),), (1,), 0, saved.dtype)
    return np.ascontiguousarray(storage.backend.to_host(whole)).view(np.uint8)


def _write_record(zf, name, data):
    """Write one uncompressed record whose bytes start at a multiple of 64 in the file, as torch's writer does.

    The padding goes into the local header's extra field (id 'FB', as torch writes it). zipfile adds a 20-byte
    zip64 field after it when asked to (force_zip64, which we set for the records of _ZIP64_FROM bytes or more).
    """
    data = memoryview(data).cast("B")
    info = zipfile.ZipInfo(name)
    zip64 = len(data) >= _ZIP64_FROM
    used = zf.fp.tell() + 30 + len(name.encode("utf-8")) + (20 if zip64 else 0)
    pad = -used % _ALIGNMENT
    if pad:
        pad += _ALIGNMENT if pad < 4 else 0  # the field's own 4-byte header must fit
        info.extra = b"FB" + struct.pack("<H", pad - 4) + b"Z" * (pad - 4)
    with zf.open(info, "w", force_zip64=zip64) as w:
        w.write(data)
    return info.CRC


def _archive_name(f):
    # torch names the folder after the file (its basename without the extension), else 'archive'
    stem = os.path.splitext(os.path.basename(os.fspath(f)))[0] if isinstance(f, (str, os.PathLike)) else ""
    return stem if stem.isprintable() and stem else "archive"


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True):
    """Save ``obj`` (tensors, Parameters, state dicts, nested containers, ...) to ``f`` in torch's zip format.

    ``f`` is a path (str or os.PathLike) or a binary file-like object. The file loads with
    ``torch.load`` (``weights_only=True`` too, as long as ``obj`` holds only tensors, Parameters, dtypes,
    devices, sizes and plain containers and values) and with ``rustorch.load``. Views that share a
    storage are saved with it once and load sharing it again. Python attributes set on tensors and
    tensor hooks are not saved.

    >>> import io, rustorch
    >>> x = rustorch.arange(6.0)
    >>> buf = io.BytesIO()
    >>> rustorch.save({"x": x, "tail": x[3:]}, buf)
    >>> _ = buf.seek(0)
    >>> d = rustorch.load(buf)
    >>> d["x"][3] = 30.0
    >>> d["tail"]
    tensor([30.,  4.,  5.])
    """
    if pickle_module is not pickle:
        raise InvalidArgumentError(f"save(): rustorch writes checkpoints with the pickle module only, got "
                                   f"pickle_module={pickle_module!r}")
    if not _use_new_zipfile_serialization:
        raise SerializationError("save(): torch's legacy (pre-1.6) format is not supported; rustorch writes the zip "
                                 "format every torch since 1.6 reads")
    if not isinstance(pickle_protocol, int) or not 2 <= pickle_protocol <= pickle.HIGHEST_PROTOCOL:
        raise InvalidArgumentError(f"save(): pickle_protocol must be an int from 2 to {pickle.HIGHEST_PROTOCOL}, "
                                   f"got {pickle_protocol!r}")
    if not isinstance(f, (str, os.PathLike)) and not hasattr(f, "write"):
        raise InvalidTypeError(f"save(): f must be a path or a binary file object, got {type(f).__name__}")
    buf = io.BytesIO()
    pickler = _Pickler(buf, pickle_protocol)
    pickler.dump(obj)
    name = _archive_name(f)
    records = [("data.pkl", buf.getvalue()), (".format_version", _FORMAT_VERSION),
               (".storage_alignment", str(_ALIGNMENT).encode()), ("byteorder", sys.byteorder.encode())]
    records += [(f"data/{saved.pid[2]}", saved) for saved in pickler.storages.values()]
    records.append(("version", _ARCHIVE_VERSION))
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as file:
            _write_archive(file, name, records)
    else:
        _write_archive(f, name, records)


def _write_archive(file, name, records):
    names_crc = crcs = 0
    with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as zf:
        for record, data in records:
            if isinstance(data, _SavedStorage):
                data = _storage_bytes(data)
            crc = _write_record(zf, f"{name}/{record}", data)
            names_crc = zlib.crc32(record.encode(), names_crc)
            crcs = zlib.crc32(struct.pack("<I", crc), crcs)
        # torch's id: 20 digits from the record names, 20 from the records' checksums
        _write_record(zf, f"{name}/.data/serialization_id", f"{names_crc:020d}{crcs:020d}".encode())


# loading ------------------------------------------------------------------------------------------------------


class _StorageType:
    """What torch.FloatStorage (and the other storage names) load as: the dtype of the storage's elements."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype  # None for torch.storage.UntypedStorage (bytes; the tensor names its dtype)


class _LoadedStorage:
    """A storage of the file, its bytes read on the host; ``typed`` makes it a Storage of one dtype on its device."""

    __slots__ = ("reader", "key", "bytes", "dtype", "location")

    def __init__(self, reader, key, data, dtype, location):
        self.reader, self.key, self.bytes, self.dtype, self.location = reader, key, data, dtype, location

    def typed(self, dtype):
        return self.reader.typed_storage(self, dtype)


def _ints(what, value, length=None):
    if not isinstance(value, (tuple, list)) or any(type(v) is not int or v < 0 for v in value):
        raise SerializationError(f"a tensor's {what} must be a tuple of non-negative ints, got {value!r}")
    if length is not None and len(value) != length:
        raise SerializationError(f"a tensor's size has {length} dims, its stride {value!r} has {len(value)}")
    return tuple(value)


def _rebuild(storage, dtype, offset, size, stride, requires_grad, metadata):
    if not isinstance(storage, _LoadedStorage):
        raise SerializationError(f"a tensor must be rebuilt from a storage of the file, got {type(storage).__name__}")
    if type(offset) is not int or offset < 0:
        raise SerializationError(f"a tensor's storage offset must be a non-negative int, got {offset!r}")
    size = _ints("size", size)
    stride = _ints("stride", stride, len(size))
    typed = storage.typed(dtype)
    numel = storage.bytes.size // dtype.itemsize
    if 0 not in size:
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= numel:
            raise SerializationError(f"a tensor of size {list(size)}, stride {list(stride)} and offset {offset} "
                                     f"reaches element {last} of storage '{storage.key}', which holds {numel}")
    t = _make(typed, size, stride, offset, dtype)
    if metadata:
        # torch's conjugate and negative views: the storage holds the values before the conj/neg
        if not isinstance(metadata, dict) or not set(metadata) <= {"conj", "neg"}:
            raise SerializationError(f"unsupported tensor metadata {metadata!r}; rustorch knows 'conj' and 'neg'")
        if metadata.get("conj"):
            t = t.conj()
        if metadata.get("neg"):
            t = t.neg()
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    """torch._utils._rebuild_tensor (files of torch before 1.x's requires_grad field)."""
    return _rebuild(storage, _typed_dtype(storage), storage_offset, size, stride, False, None)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    """torch._utils._rebuild_tensor_v2: a view of a typed storage (backward hooks are never restored, as in torch)."""
    return _rebuild(storage, _typed_dtype(storage), storage_offset, size, stride, requires_grad, metadata)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None):
    """torch._utils._rebuild_tensor_v3: a view of an untyped (byte) storage as ``dtype``."""
    if not isinstance(dtype, _dtype.dtype):
        raise SerializationError(f"_rebuild_tensor_v3 needs a dtype, got {dtype!r}")
    return _rebuild(storage, dtype, storage_offset, size, stride, requires_grad, metadata)


def _typed_dtype(storage):
    if not isinstance(storage, _LoadedStorage) or storage.dtype is None:
        raise SerializationError(f"a tensor rebuilt by _rebuild_tensor_v2 needs a typed storage, got {storage!r}")
    return storage.dtype


def _set_obj_state(obj, state):
    """Restore the Python attributes torch saved with a tensor or Parameter (``t.name = value``).

    Only attributes the class does not define: the file may not replace a tensor's storage, shape or methods.
    """
    dict_state, slots_state = state if isinstance(state, tuple) and len(state) == 2 else (state, None)
    for part in (dict_state, slots_state):
        if not part:
            continue
        if not isinstance(part, dict):
            raise SerializationError(f"a tensor's saved attributes must be a dict, got {type(part).__name__}")
        for k, v in part.items():
            if not isinstance(k, str) or not k.isidentifier() or hasattr(type(obj), k):
                raise SerializationError(f"refusing to set the attribute {k!r} of a {type(obj).__name__} from the file")
            obj.__dict__[k] = v
    return obj


def _rebuild_parameter(data, requires_grad, backward_hooks):
    """torch._utils._rebuild_parameter: a Parameter around a rebuilt tensor."""
    if not isinstance(data, Tensor):
        raise SerializationError(f"a Parameter must wrap a tensor, got {type(data).__name__}")
    return Parameter(data, bool(requires_grad))


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    """torch._utils._rebuild_parameter_with_state: a Parameter with the Python attributes it had."""
    return _set_obj_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    """torch._tensor._rebuild_from_type_v2: a tensor (or Parameter) with Python attributes."""
    if not (any(func is f for f in _TENSOR_REBUILDS) and (new_type is Tensor or new_type is Parameter)
            and isinstance(args, tuple)):
        raise SerializationError(f"unsupported tensor rebuild {func!r} of type {new_type!r}")
    t = func(*args)
    if new_type is Parameter and not isinstance(t, Parameter):
        t = Parameter(t, t.requires_grad)
    return _set_obj_state(t, state)


_TENSOR_REBUILDS = (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter,
                    _rebuild_parameter_with_state)

# The globals a checkpoint may name, by torch's name, and what rustorch loads for each.
_TORCH_GLOBALS = {
    "torch._utils._rebuild_tensor": _rebuild_tensor,
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
    "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    "torch.Tensor": Tensor,
    "torch.nn.parameter.Parameter": Parameter,
    "torch.Size": Size,
    "torch.device": device,
    "torch.storage.UntypedStorage": _StorageType(None),
    "torch.UntypedStorage": _StorageType(None),
}
_TORCH_GLOBALS.update({f"torch.{d.name}": d for d in _dtype.ALL_DTYPES})
_TORCH_GLOBALS.update({f"torch.{_STORAGE_NAMES[d.name]}": _StorageType(d) for d in _dtype.ALL_DTYPES})
# Plain Python the weights-only loader allows besides (torch's own allow-list: bytes pickle as _codecs.encode)
_SAFE_GLOBALS = dict(_TORCH_GLOBALS, **{
    "collections.OrderedDict": collections.OrderedDict,
    "collections.Counter": collections.Counter,
    "builtins.set": set,
    "builtins.complex": complex,
    "builtins.bytearray": bytearray,
    "_codecs.encode": codecs.encode,
})
# what a REDUCE may call, and the classes NEWOBJ may instantiate and BUILD may give attributes to
_SAFE_CALLABLES = {id(f) for f in (*_TENSOR_REBUILDS, _rebuild_from_type_v2, Size, device, collections.OrderedDict,
                                   collections.Counter, set, complex, bytearray, codecs.encode)}
_SAFE_CLASSES = (collections.OrderedDict, collections.Counter, set, complex, bytearray)
_BUILDABLE = (collections.OrderedDict, collections.Counter)
_DICTS = (dict, collections.OrderedDict, collections.Counter)


def _refused(what):
    return UnpicklingError(f"weights_only=True refuses {what}: it loads only tensors, Parameters, dtypes, devices, "
                           f"sizes and plain containers and values. If you trust the file, load it with "
                           f"weights_only=False (which runs whatever code the file names)")


def _torch_name(module, name):
    """The name a global of a torch checkpoint stands for, with Python 2 names mapped as pickle maps them."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        module, name = _compat_pickle.NAME_MAPPING[(module, name)]
    elif module in _compat_pickle.IMPORT_MAPPING:
        module = _compat_pickle.IMPORT_MAPPING[module]
    return f"{module}.{name}"


class _WeightsOnlyUnpickler(pickle._Unpickler):
    """An unpickler that never calls anything the file names beyond an allow-list (``_SAFE_GLOBALS``).

    pickle's Python Unpickler with every opcode that imports, calls or mutates checked, as torch's
    weights-only unpickler does: GLOBAL and STACK_GLOBAL resolve only allowed names, REDUCE calls only
    allowed functions, NEWOBJ makes only plain containers, BUILD sets attributes only on OrderedDicts
    (a state_dict's ``_metadata``), APPEND, SETITEM and ADDITEMS fill only lists, dicts and sets, and
    INST, OBJ and EXT, which the allowed names never need, are refused.
    """

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, reader, encoding):
        super().__init__(file, encoding=encoding)
        self.persistent_load = reader.persistent_load

    def find_class(self, module, name):
        full = _torch_name(module, name)
        if full in _SAFE_GLOBALS:
            return _SAFE_GLOBALS[full]
        if full.startswith("torch."):
            raise UnpicklingError(f"the checkpoint names {full}, which rustorch cannot load (it loads tensors of "
                                  f"dtypes {', '.join(d.name for d in _dtype.ALL_DTYPES)}, Parameters, "
                                  f"torch.Size and torch.device)")
        raise _refused(f"the global {full!r}")

    @staticmethod
    def _check(opcode, obj, allowed):
        if not any(obj is a for a in allowed):
            raise _refused(f"{opcode} on {obj!r}")

    def load_reduce(self):
        if id(self.stack[-2]) not in _SAFE_CALLABLES:
            raise _refused(f"a call of {self.stack[-2]!r}")
        super().load_reduce()

    def load_newobj(self):
        self._check("NEWOBJ", self.stack[-2], _SAFE_CLASSES)
        super().load_newobj()

    def load_newobj_ex(self):
        self._check("NEWOBJ_EX", self.stack[-3], _SAFE_CLASSES)
        super().load_newobj_ex()

    def load_build(self):
        state = self.stack[-1]
        self._check("BUILD", type(self.stack[-2]), _BUILDABLE)
        if not isinstance(state, dict) or not all(type(k) is str for k in state):
            raise _refused(f"BUILD with the state {state!r}")
        super().load_build()

    # the object before the MARK (metastack[-1][-1]) is the container APPENDS, SETITEMS and ADDITEMS fill
    def load_append(self):
        self._check("APPEND", type(self.stack[-2]), (list,))
        super().load_append()

    def load_appends(self):
        self._check("APPENDS", type(self.metastack[-1][-1]), (list,))
        super().load_appends()

    def load_setitem(self):
        self._check("SETITEM", type(self.stack[-3]), _DICTS)
        super().load_setitem()

    def load_setitems(self):
        self._check("SETITEMS", type(self.metastack[-1][-1]), _DICTS)
        super().load_setitems()

    def load_additems(self):
        self._check("ADDITEMS", type(self.metastack[-1][-1]), (set,))
        super().load_additems()

    def _refuse_opcode(self):
        raise _refused("the pickle opcodes INST, OBJ and EXT (classes instantiated by name)")

    for _op in (pickle.INST, pickle.OBJ, pickle.EXT1, pickle.EXT2, pickle.EXT4):
        dispatch[_op[0]] = _refuse_opcode
    for _op, _load in ((pickle.REDUCE, load_reduce), (pickle.NEWOBJ, load_newobj), (pickle.NEWOBJ_EX, load_newobj_ex),
                       (pickle.BUILD, load_build), (pickle.APPEND, load_append), (pickle.APPENDS, load_appends),
                       (pickle.SETITEM, load_setitem), (pickle.SETITEMS, load_setitems),
                       (pickle.ADDITEMS, load_additems)):
        dispatch[_op[0]] = _load
    del _op, _load


def _full_unpickler(pickle_module):
    """The unrestricted unpickler of ``weights_only=False``: torch's names map to rustorch's, the rest imports."""

    class FullUnpickler(pickle_module.Unpickler):
        def __init__(self, file, reader, **kwargs):
            super().__init__(file, **kwargs)
            self.persistent_load = reader.persistent_load

        def find_class(self, module, name):
            full = _torch_name(module, name)
            if full in _TORCH_GLOBALS:
                return _TORCH_GLOBALS[full]
            if full.startswith("torch."):
                raise UnpicklingError(f"the checkpoint names {full}, which has no rustorch counterpart")
            return super().find_class(module, name)

    return FullUnpickler


class _MapLocationError(Exception):
    """Carries an exception of a map_location callable out of the unpickler, to be raised as it was."""


class _Reader:
    """One checkpoint being loaded: its zip archive, map_location and the storages read so far."""

    def __init__(self, file, zf, size, prefix, where, map_location, mapped, byteorder):
        self.file, self.zf, self.size, self.prefix, self.where = file, zf, size, prefix, where
        self.map_location = map_location
        self.mapped = mapped  # the whole file as a copy-on-write memory map (mmap=True), else None
        self.swap = byteorder != sys.byteorder
        self.loaded = {}  # key -> _LoadedStorage
        self.typed = {}  # (key, dtype) -> Storage: every view of a storage shares one

    def release(self):
        """Drop the storages read (each _LoadedStorage points back at this reader: free the cycle now)."""
        self.loaded.clear()
        self.typed.clear()

    def persistent_load(self, pid):
        if not (type(pid) is tuple and len(pid) == 5 and type(pid[0]) in (str, bytes)
                and pid[0] in ("storage", b"storage")):
            raise UnpicklingError(f"only storages may be persistent ids of a checkpoint, got {pid!r}")
        _, storage_type, key, location, numel = pid
        if not isinstance(storage_type, _StorageType):
            raise UnpicklingError(f"expected a storage type (like torch.FloatStorage), got {storage_type!r}")
        if isinstance(location, bytes):
            location = location.decode("ascii")
        if not (isinstance(key, str) and isinstance(location, str) and type(numel) is int and numel >= 0):
            raise UnpicklingError(f"malformed storage id {pid!r}")
        dtype = storage_type.dtype
        nbytes = numel * (dtype.itemsize if dtype is not None else 1)
        loaded = self.loaded.get(key)
        if loaded is None:
            loaded = self.loaded[key] = _LoadedStorage(self, key, self.read_record(key, nbytes), dtype, location)
        elif loaded.bytes.size != nbytes or loaded.dtype is not dtype:
            raise SerializationError(f"storage '{key}' is declared twice, differently")
        return loaded

    def read_record(self, key, nbytes):
        name = f"{self.prefix}/data/{key}"
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise SerializationError(f"the record '{name}' of a storage is missing") from None
        if info.file_size != nbytes:
            raise SerializationError(f"the record '{name}' holds {info.file_size} bytes, but its storage is declared "
                                     f"as {nbytes} bytes (the file is truncated or corrupt)")
        if info.compress_type != zipfile.ZIP_STORED:  # torch stores records; a zip tool may have compressed one
            if self.mapped is not None:
                raise SerializationError(f"mmap=True needs uncompressed records; '{name}' is compressed")
            return np.frombuffer(bytearray(self.zf.read(info)), np.uint8)
        start = self._record_start(info)
        if start + nbytes > self.size:
            raise SerializationError(f"the record '{name}' runs past the end of the file (it is truncated)")
        if self.mapped is not None:
            return self.mapped[start:start + nbytes]
        # read straight into the storage's memory (zipfile's reader copies it several times over)
        data = get_backend("cpu").empty(nbytes, _dtype.uint8, device("cpu"))
        view = memoryview(data)
        self.file.seek(start)
        done = 0
        while done < nbytes:
            n = self.file.readinto(view[done:])
            if not n:
                raise SerializationError(f"the record '{name}' ends after {done} of its {nbytes} bytes")
            done += n
        if zlib.crc32(data) != info.CRC:
            raise SerializationError(f"the record '{name}' fails its CRC-32 check (the file is corrupt)")
        return data

    def _record_start(self, info):
        """Where a record's bytes start: after its local header, whose extra field holds torch's padding."""
        self.file.seek(info.header_offset)
        header = self.file.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise SerializationError(f"the local header of the record '{info.filename}' is corrupt")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_len + extra_len

    def typed_storage(self, loaded, dtype):
        storage = self.typed.get((loaded.key, dtype))
        if storage is not None:
            return storage
        data = loaded.bytes
        if data.size % dtype.itemsize:
            raise SerializationError(f"storage '{loaded.key}' holds {data.size} bytes, not a whole number of {dtype} "
                                     f"elements")
        if data.ctypes.data % dtype.itemsize:  # a record not aligned in a mapped file: copy it to aligned memory
            data = np.array(data)
        array = data.view(dtype.np)
        if self.swap:
            # swap each scalar's bytes: a complex number's two halves, bfloat16 as 2-byte words
            width = dtype.itemsize // 2 if dtype.is_complex else dtype.itemsize
            array = array.view(f"u{width}").byteswap().view(dtype.np)
        storage = self.typed[(loaded.key, dtype)] = self.restore(Storage(array, device("cpu"), get_backend("cpu")),
                                                                 loaded.location)
        return storage

    def restore(self, storage, location):
        """The storage on the device map_location picks for ``location`` (torch's rules)."""
        ml = self.map_location
        if ml is None:
            target = location
        elif isinstance(ml, dict):
            target = ml.get(location, location)
        elif isinstance(ml, (str, device)):
            target = ml
        else:  # a callable: (storage, location) -> a storage, or None to restore as saved
            try:
                result = ml(storage, location)
            except Exception as e:
                raise _MapLocationError() from e
            if result is None:
                return self.restore_to(storage, location)
            if not isinstance(result, Storage):
                raise InvalidTypeError(f"load({self.where}): map_location returned {type(result).__name__}; it "
                                       f"must return the storage it was given (or one moved), or None")
            return result
        return self.restore_to(storage, target)

    def restore_to(self, storage, target):
        try:
            d = target if isinstance(target, device) else device(str(target))
        except DeviceError as e:
            raise SerializationError(f"load({self.where}): cannot restore a storage to {target!r}: {e}. Pass "
                                     f"map_location='cpu' to load the tensors onto the CPU") from None
        if d.type == "cpu":
            return storage
        try:
            backend = get_backend(d.type)
        except BackendUnavailableError as e:
            raise BackendUnavailableError(
                f"load({self.where}): the file holds tensors saved on '{target}', but {e}. Pass map_location='cpu' "
                f"(or a dict like {{'{target}': 'cpu'}}) to load them onto the CPU") from None
        return Storage(backend.from_host(storage.data, d), d, backend)


def _describe(f):
    if isinstance(f, (str, os.PathLike)):
        return repr(os.fspath(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"<{type(f).__name__}>"


def _check_format(file, where):
    head = file.read(len(_LEGACY_MAGIC))
    file.seek(-len(head), 1)
    if head.startswith(b"PK\x03\x04"):
        return
    if not head:
        raise SerializationError(f"load({where}): the file is empty")
    if head == _LEGACY_MAGIC:
        raise SerializationError(f"load({where}): this is torch's legacy (pre-1.6) format, which rustorch does not "
                                 f"read; load it with torch and torch.save it again to get the zip format")
    raise SerializationError(f"load({where}): not a checkpoint: a torch.save file is a zip archive, this file "
                             f"starts with {head[:8]!r}")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved by ``rustorch.save`` or ``torch.save`` (torch's zip format) from ``f``.

    ``f``: a path (str or os.PathLike) or a binary file-like object.

    ``weights_only`` (True unless a ``pickle_module`` is given, as in torch) loads only tensors,
    Parameters, dtypes, devices, sizes and plain containers and values, and never runs code the file
    names: anything else raises ``rustorch.errors.UnpicklingError``. ``weights_only=False`` unpickles
    anything; it runs whatever code the file names, so use it only for files you trust.

    ``map_location`` moves storages as torch does: None (to the device each was saved on), a device or
    a string (all there), a dict mapping saved locations to new ones (``{'cuda:0': 'cpu'}``), or a
    callable ``(storage, location)`` returning a storage, or None for the default. ``mmap=True`` maps
    the file (``f`` must be a path) instead of reading the storages; writes to the loaded tensors do
    not reach the file.

    A truncated, corrupt or refused file raises ``rustorch.errors.SerializationError`` naming the file
    and the problem. torch's legacy (pre-1.6, non-zip) format is not read.

    >>> import io, rustorch
    >>> buf = io.BytesIO()
    >>> rustorch.save([rustorch.nn.Parameter(rustorch.ones(2)), {"lr": 0.1}], buf)
    >>> _ = buf.seek(0)
    >>> p, group = rustorch.load(buf, map_location="cpu")
    >>> p.requires_grad, group
    (True, {'lr': 0.1})
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise InvalidArgumentError("load(): can not safely load weights when an explicit pickle_module is given; "
                                   "pass weights_only=False with it")
    if not weights_only and pickle_module is None:
        pickle_module = pickle
    if weights_only and set(pickle_load_args) - {"encoding"}:
        raise InvalidArgumentError(f"load(): the pickle arguments {sorted(set(pickle_load_args) - {'encoding'})} "
                                   f"work only with weights_only=False")
    if not (map_location is None or isinstance(map_location, (str, device, dict)) or callable(map_location)):
        raise InvalidTypeError(f"load(): map_location must be None, a device, a string, a dict or a callable, got "
                               f"{type(map_location).__name__}")
    where = _describe(f)
    is_path = isinstance(f, (str, os.PathLike))
    if not is_path and not hasattr(f, "read"):
        raise InvalidTypeError(f"load(): f must be a path or a binary file object, got {type(f).__name__}")
    if mmap and not is_path:
        raise InvalidArgumentError("load(): f must be a file path in order to use the mmap argument")
    file = open(f, "rb") if is_path else f
    try:
        if not (hasattr(file, "seekable") and file.seekable() and hasattr(file, "readinto")):
            file = io.BytesIO(file.read())  # a pipe, a socket: zipfile needs to seek
        _check_format(file, where)
        mapped = np.memmap(f, np.uint8, "c").view(np.ndarray) if mmap else None  # "c": writes stay in memory
        return _load_archive(file, where, map_location, mapped, weights_only, pickle_module, pickle_load_args)
    finally:
        if is_path:
            file.close()


def _load_archive(file, where, map_location, mapped, weights_only, pickle_module, pickle_load_args):
    start = file.tell()
    size = file.seek(0, 2)
    file.seek(start)
    try:
        zf = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise SerializationError(f"load({where}): the zip archive is truncated or corrupt ({e})") from None
    with zf:
        names = zf.namelist()
        prefix = names[0].split("/", 1)[0] if names and "/" in names[0] else None
        if prefix is None:
            raise SerializationError(f"load({where}): not a torch checkpoint: its records are not in one folder")
        if f"{prefix}/constants.pkl" in names:
            raise SerializationError(f"load({where}): this is a TorchScript archive (torch.jit.save), which rustorch "
                                     f"does not load")
        try:
            byteorder = zf.read(f"{prefix}/byteorder").decode() if f"{prefix}/byteorder" in names else "little"
            if byteorder not in ("little", "big"):
                raise SerializationError(f"load({where}): unknown byte order {byteorder!r} in the byteorder record")
            data = zf.read(f"{prefix}/data.pkl")
        except KeyError:
            raise SerializationError(f"load({where}): the record '{prefix}/data.pkl' is missing") from None
        except (zipfile.BadZipFile, OSError, EOFError, UnicodeDecodeError, zlib.error) as e:
            raise SerializationError(f"load({where}): the zip archive is corrupt ({e})") from None
        reader = _Reader(file, zf, size, prefix, where, map_location, mapped, byteorder)
        stream = io.BytesIO(data)
        try:
            kwargs = {"encoding": "utf-8", **pickle_load_args}  # how Python 2's str loads, as torch decodes it
            if weights_only:
                return _WeightsOnlyUnpickler(stream, reader, kwargs["encoding"]).load()
            return _full_unpickler(pickle_module)(stream, reader, **kwargs).load()
        except _MapLocationError as e:
            raise e.__cause__
        except RusTorchError as e:
            if str(e).startswith("load("):
                raise
            raise type(e)(f"load({where}): {e}") from None
        except (zipfile.BadZipFile, zlib.error) as e:  # a storage record that fails its checksum
            raise SerializationError(f"load({where}): the zip archive is corrupt ({e})") from None
        except (pickle.UnpicklingError, EOFError) as e:
            raise UnpicklingError(f"load({where}): data.pkl is corrupt ({type(e).__name__}: {e})") from None
        except Exception as e:
            if not weights_only:  # an error of the code the file names, as the file's own classes raise it
                raise
            raise UnpicklingError(f"load({where}): data.pkl is corrupt ({type(e).__name__}: {e})") from e
        finally:
            reader.release()
