"""The backend contract: the small set of primitives every backend implements.

A backend owns buffers and runs primitives on them. It knows nothing of
autograd, modules or type promotion: the op layer (rustorch/ops) has already
chosen the result dtype, broadcast the shapes and allocated ``out`` before it
calls a primitive. Tensors handed to a primitive expose ``shape``, ``stride()``,
``storage_offset()``, ``dtype`` and their storage's ``data`` (the backend's
own buffer); strides are in elements and never negative.

A new backend implements these methods and the whole library runs on it.
"""


class Backend:
    """Base class of the backends; every method here is a primitive of the contract."""

    name = None

    def availability(self):
        """None when this backend runs here, else a sentence saying why not."""
        raise NotImplementedError

    def capabilities(self):
        """A dict describing the device(s): ISA, threads, memory, supported dtypes."""
        raise NotImplementedError

    # memory -------------------------------------------------------------------
    def empty(self, numel, dtype, device):
        """A new buffer of ``numel`` elements of ``dtype`` (uninitialised)."""
        raise NotImplementedError

    def from_host(self, array, device):
        """A buffer holding a copy of the contiguous NumPy ``array`` (may share it on the CPU)."""
        raise NotImplementedError

    def to_host(self, t):
        """The values of tensor ``t`` as a NumPy array of ``t.shape`` (a view on the CPU, else a copy)."""
        raise NotImplementedError

    def copy_(self, dst, src):
        """dst[...] = src: strided copy with broadcasting of ``src`` and a cast to ``dst.dtype``."""
        raise NotImplementedError

    def fill_(self, dst, value):
        """Write the Python number ``value`` into every element of ``dst``."""
        raise NotImplementedError

    def cat(self, inputs, dim, out):
        """Optional: write ``inputs`` one after another along ``dim`` of ``out``, cast to its dtype.

        The inputs have out's rank and its sizes except along ``dim`` (cat), or all one dim fewer and the
        same shape (stack: input i fills index i of ``dim``). A backend that leaves this out gets one
        ``copy_`` per input, into a view of ``out``.
        """
        raise NotImplementedError

    def synchronize(self, device):
        """Wait until the work queued on ``device`` is done (timings, host reads of raw buffers); a no-op where
        every primitive returns when its work is done, as on the CPU."""

    def memory_stats(self, device):
        """Allocator statistics: allocated_bytes, reserved_bytes, peak_allocated_bytes, ..."""
        raise NotImplementedError

    def empty_cache(self, device):
        """Return cached, unused blocks to the system."""
        raise NotImplementedError

    # elementwise --------------------------------------------------------------
    def unary(self, op, x, out):
        """out = op(x), computed in ``out.dtype``."""
        raise NotImplementedError

    def binary(self, op, a, b, out, compute_dtype):
        """out = op(a, b) with broadcasting; ``a`` or ``b`` may be a Python number.

        Computed in ``compute_dtype`` and written (cast) into ``out``.
        """
        raise NotImplementedError

    def where(self, cond, a, b, out):
        """out = a where cond else b, with broadcasting."""
        raise NotImplementedError

    # reductions ---------------------------------------------------------------
    def reduce(self, op, x, dims, out, out_index=None):
        """Reduce ``x`` over ``dims`` into ``out`` (which keeps the reduced dims as size 1).

        op: sum, prod, max, min, argmax, argmin, all, any. ``out_index`` (int64)
        receives the positions for max/min when given.
        """
        raise NotImplementedError

    def scan(self, op, x, dim, out):
        """Inclusive scan (cumsum, cumprod, cummax, cummin) along ``dim``."""
        raise NotImplementedError

    # indexing -----------------------------------------------------------------
    def index_get(self, x, index):
        """x[index] for an index tuple of ints, slices, None, Ellipsis and int64/bool tensors."""
        raise NotImplementedError

    def index_put_(self, x, index, value, accumulate):
        """x[index] = value (or += when ``accumulate``)."""
        raise NotImplementedError

    def gather(self, x, dim, index, out):
        raise NotImplementedError

    def scatter_(self, x, dim, index, src, reduce):
        """reduce: None (assign), 'add', 'multiply', 'amax', 'amin'; ``src`` a tensor or a number."""
        raise NotImplementedError

    def nonzero(self, x):
        """A (n, x.ndim) int64 buffer of the positions of the non-zero elements."""
        raise NotImplementedError

    def sort(self, x, dim, descending, stable, values, indices):
        raise NotImplementedError

    # contraction --------------------------------------------------------------
    def matmul(self, a, b, out):
        """Batched matrix product: a (..., M, K) @ b (..., K, N) -> out (..., M, N), batch dims broadcast."""
        raise NotImplementedError

    # convolution and pooling ----------------------------------------------------
    # Tensors here are contiguous, of a floating dtype (float16, bfloat16, float32, float64), laid out (N, C, *spatial)
    # with 1 to 3 spatial dims; kernel, stride, padding and dilation hold one int per spatial dim. A convolution is
    # im2col, then the GEMM of ``matmul``; its input gradient is the GEMM, then col2im.
    def im2col(self, x, cols, kernel, stride, padding, dilation):
        """Write the sliding windows of ``x`` into ``cols`` (N, C * prod(kernel), *out_spatial).

        ``cols[n, c*K + k, o] = x[n, c, o*stride - padding + k*dilation]`` (k, o multi-indices in C order),
        0 where that falls outside x. The output size is cols's; ``padding`` is the padding before the data.
        """
        raise NotImplementedError

    def col2im(self, cols, x, kernel, stride, padding, dilation):
        """The adjoint of ``im2col``: overwrite ``x`` with the sum of every column entry at the place it came from."""
        raise NotImplementedError

    def pool(self, op, x, out, indices, windows):
        """Max ('max') or average ('avg') pooling of ``x`` into ``out`` (N, C, *out_spatial).

        ``windows`` holds one ``(first, count, step, divisor)`` per spatial dim: output position o of that
        dim reads the ``count[o]`` input positions ``first[o] + j*step`` (first, count: int64 NumPy arrays of
        the dim's output size; the taps lie inside the input, padding is left out by the caller). An average
        divides the window's sum by the product of the dims' ``divisor[o]`` (float64 arrays; None for max);
        an empty window gives 0. For max, NaN wins and ``indices`` (int64 like out, or None) receives the
        flat position of the maximum within its (*spatial) input plane.
        """
        raise NotImplementedError

    def pool_backward(self, op, grad, grad_input, indices, windows):
        """The gradient of ``pool``: overwrite ``grad_input`` (x's shape) with ``grad`` added at ``indices``
        (max; an index outside its plane passes nothing) or spread over the windows and divided as the forward
        divided (avg)."""
        raise NotImplementedError

    # softmax (an optional fused fast path) -------------------------------------------
    # Tensors here are contiguous, of one shape and one floating dtype. A backend that leaves these out (or raises
    # NotImplementedError for a dtype) gets softmax composed from reductions and elementwise ops.
    def softmax(self, x, dim, log_space, out):
        """``out`` = softmax of ``x`` along ``dim`` (log_softmax when ``log_space``), each slice's maximum
        subtracted before exp()."""
        raise NotImplementedError

    def softmax_backward(self, grad, y, dim, log_space, out):
        """``out`` = the input gradient of softmax for ``grad`` from its result ``y``: y * (grad - sum(grad * y))
        along ``dim``, or grad - exp(y) * sum(grad) for log_softmax."""
        raise NotImplementedError

    # normalization (an optional fused fast path) -----------------------------------
    # Tensors here are contiguous and of one floating dtype. A backend that leaves these out (or raises
    # NotImplementedError for a dtype) gets layer norm composed from reductions and elementwise ops.
    def layer_norm(self, x, weight, bias, eps, out, mean, rstd):
        """Normalise each row of ``x`` (M, D) into ``out``: (x - mean) * rstd * weight + bias.

        ``weight`` and ``bias`` are (D,) or None; ``mean`` and ``rstd`` (M,) receive each row's mean and
        1 / sqrt(var + eps), the variance biased.
        """
        raise NotImplementedError

    def layer_norm_backward(self, grad, x, mean, rstd, weight, grad_input, grad_weight, grad_bias):
        """The gradients of ``layer_norm`` for ``grad`` (M, D) into grad_input (M, D), grad_weight and
        grad_bias (D,), each unless None."""
        raise NotImplementedError

    # LSTM step (an optional fused fast path) ---------------------------------------
    # Tensors here are 2-D blocks (rows, n) of one floating dtype whose rows are contiguous (column slices of
    # feature-major matrices); gate blocks have 4H rows in torch's order i, f, g, o, the others H. A backend that
    # leaves these out (or raises NotImplementedError for a dtype) gets the step composed from elementwise ops.
    def lstm_cell(self, pre, xp, c_prev, gates, c, tanh_c, h):
        """One LSTM step after its GEMM: ``gates`` = sigmoid (tanh for g) of pre + xp, ``c`` = f * c_prev + i * g,
        ``tanh_c`` = tanh(c), ``h`` = o * tanh(c)."""
        raise NotImplementedError

    def lstm_cell_backward(self, dh, dc, gates, c_prev, tanh_c, dgates, dc_prev):
        """The step's gradients from those of its h and c: with dc' = dc + dh * o * (1 - tanh_c^2), ``dgates`` =
        [dc' g i (1 - i), dc' c_prev f (1 - f), dc' i (1 - g^2), dh tanh_c o (1 - o)], ``dc_prev`` = dc' * f."""
        raise NotImplementedError

    # optimizer steps (an optional fused fast path) -----------------------------------
    # Each updates a group's parameters and their state in place, in one call. The lists hold one tensor per
    # parameter; the tensors at index i have params[i]'s number of elements, and all are contiguous and of
    # one floating dtype. Scalars are Python floats; a list of them holds one per parameter. A backend that
    # leaves these out (or raises NotImplementedError for a dtype) gets the steps composed from tensor ops
    # (rustorch/optim, torch's single-tensor formulas, which these follow op by op).
    def sgd_step(self, params, grads, momentum_buffers, fresh, lr, momentum, dampening, weight_decay, nesterov,
                 maximize):
        """SGD: g = grad (negated when ``maximize``) + weight_decay * p; with momentum (``momentum_buffers`` not
        None) buf = g where ``fresh[i]``, else momentum * buf + (1 - dampening) * g, and g = g + momentum * buf
        (``nesterov``) or buf; then p -= lr * g."""
        raise NotImplementedError

    def adam_step(self, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, step_sizes, bias_correction2_sqrts,
                  beta1, beta2, eps, weight_decay, decay, maximize):
        """Adam/AdamW: p *= decay (AdamW's 1 - lr * weight_decay, else 1); g = grad (negated when ``maximize``) +
        weight_decay * p (Adam's L2 term, 0 for AdamW); exp_avg = lerp(exp_avg, g, 1 - beta1); exp_avg_sq =
        beta2 * exp_avg_sq + (1 - beta2) * g * g; with ``max_exp_avg_sqs`` (amsgrad) their running maximum
        replaces exp_avg_sq below; p -= step_sizes[i] * exp_avg / (sqrt(exp_avg_sq) /
        bias_correction2_sqrts[i] + eps)."""
        raise NotImplementedError

    def rmsprop_step(self, params, grads, square_avgs, grad_avgs, momentum_buffers, lr, alpha, eps, weight_decay,
                     momentum, maximize):
        """RMSprop: g = grad (negated when ``maximize``) + weight_decay * p; square_avg = alpha * square_avg +
        (1 - alpha) * g * g; avg = sqrt(square_avg - grad_avg^2) + eps with grad_avg = lerp(grad_avg, g,
        1 - alpha) when ``grad_avgs`` is given (centered), else sqrt(square_avg) + eps; with
        ``momentum_buffers``: buf = momentum * buf + g / avg and p -= lr * buf, else p -= lr * g / avg."""
        raise NotImplementedError

    def adagrad_step(self, params, grads, state_sums, clrs, eps, weight_decay, maximize):
        """Adagrad: g = grad (negated when ``maximize``) + weight_decay * p; sum += g * g;
        p -= clrs[i] * g / (sqrt(sum) + eps)."""
        raise NotImplementedError

    # random -------------------------------------------------------------------
    def random_(self, kind, out, seed, offset):
        """Fill the contiguous ``out`` from the Philox stream (seed, offset).

        kind: ``uniform`` in [0, 1) or ``normal`` (out float32/float64), ``bits``
        (out int32/int64: the raw 32/64-bit words, read as signed integers).

        Returns the number of counter blocks used, so that every backend advances
        a generator by the same amount and a seed means the same numbers everywhere.
        """
        raise NotImplementedError

    def einsum(self, equation, operands, out):
        """out = Einstein sum of ``operands`` (all of ``out.dtype``) by ``equation``.

        The equation is explicit and plain: letters only, no '...' and no spaces,
        with '->' and the output subscripts ('ij,jk->ik'); each letter already has
        one size across the operands (the op layer checks and expands).
        """
        raise NotImplementedError
