"""The elementwise op table every GPU dialect renders its kernels from.

One line per op: a C expression (the subset that OpenCL C and CUDA C share) in the compute type ``T``, of ``x``
for unary ops and ``a``, ``b`` for binary ones. The ``rt_`` functions are helpers every dialect's elementwise
source defines (in T; those of floating ops only where T is floating). ``FLOAT_ONLY`` ops take floating operands
(the op layer has already promoted integers to floats for them); ``PREDICATES`` produce bool from operands of any type. A new op
is one line here and runs on every GPU backend.

>>> from rustorch.kernels import ops
>>> ops.UNARY["exp"], ops.BINARY["add"]
('exp(x)', 'a + b')
"""

UNARY = {
    "neg": "-x",
    "abs": "(x < (T)0 ? -x : x)",
    "square": "x * x",
    "sign": "(T)((x > (T)0) - (x < (T)0))",
    "relu": "(x < (T)0 ? (T)0 : x)",
    "bitwise_not": "~x",
    "logical_not": "!x",
    "floor": "floor(x)",
    "ceil": "ceil(x)",
    "round": "rint(x)",
    "trunc": "trunc(x)",
    "frac": "(x - trunc(x))",
    "exp": "exp(x)",
    "exp2": "exp2(x)",
    "expm1": "expm1(x)",
    "log": "log(x)",
    "log2": "log2(x)",
    "log10": "log10(x)",
    "log1p": "log1p(x)",
    "sqrt": "sqrt(x)",
    "rsqrt": "rsqrt(x)",
    "reciprocal": "(T)1 / x",
    "sin": "sin(x)",
    "cos": "cos(x)",
    "tan": "tan(x)",
    "asin": "asin(x)",
    "acos": "acos(x)",
    "atan": "atan(x)",
    "sinh": "sinh(x)",
    "cosh": "cosh(x)",
    "tanh": "tanh(x)",
    "asinh": "asinh(x)",
    "acosh": "acosh(x)",
    "atanh": "atanh(x)",
    "sigmoid": "(T)1 / ((T)1 + exp(-x))",
    "erf": "erf(x)",
    "erfc": "erfc(x)",
    "lgamma": "lgamma(x)",
    "erfinv": "rt_erfinv(x)",
    "digamma": "rt_digamma(x)",
    "trigamma": "rt_trigamma(x)",
    "isnan": "isnan(x)",
    "isinf": "isinf(x)",
    "isfinite": "isfinite(x)",
    "signbit": "signbit(x)",
}

BINARY = {
    "add": "a + b",
    "sub": "a - b",
    "mul": "a * b",
    "div": "a / b",
    "div_trunc": "trunc(a / b)",
    "floor_divide": "rt_floor_divide(a, b)",
    "remainder": "rt_remainder(a, b)",
    "fmod": "fmod(a, b)",
    "pow": "pow(a, b)",
    "maximum": "(a != a || a > b ? a : b)",
    "minimum": "(a != a || a < b ? a : b)",
    "fmax": "fmax(a, b)",
    "fmin": "fmin(a, b)",
    "atan2": "atan2(a, b)",
    "hypot": "hypot(a, b)",
    "copysign": "copysign(a, b)",
    "logaddexp": "(max(a, b) + log1p(exp(-fabs(a - b))))",
    "xlogy": "(a == (T)0 && b == b ? (T)0 : a * log(b))",
    "bitwise_and": "a & b",
    "bitwise_or": "a | b",
    "bitwise_xor": "a ^ b",
    "left_shift": "a << b",
    "right_shift": "a >> b",
    "eq": "a == b",
    "ne": "a != b",
    "lt": "a < b",
    "le": "a <= b",
    "gt": "a > b",
    "ge": "a >= b",
    "logical_and": "(a != (T)0) && (b != (T)0)",
    "logical_or": "(a != (T)0) || (b != (T)0)",
    "logical_xor": "(a != (T)0) != (b != (T)0)",
    "tanh_backward": "a * ((T)1 - b * b)",
    "sigmoid_backward": "a * ((T)1 - b) * b",
    "threshold_backward": "(b <= (T)0 ? (T)0 : a)",
}

# integers: C's / and % truncate where torch's floor_divide and remainder floor; pow by squaring (rt_ipow is a
# helper every dialect's elementwise source defines)
INTEGER_BINARY = {
    "div_trunc": "(b == 0 ? 0 : a / b)",
    "floor_divide": "(b == 0 ? 0 : a / b - ((a % b != 0) && ((a < 0) != (b < 0))))",
    "remainder": "(b == 0 ? 0 : a % b + (((a % b != 0) && ((a < 0) != (b < 0))) ? b : 0))",
    "fmod": "(b == 0 ? 0 : a % b)",
    "maximum": "(a > b ? a : b)",
    "minimum": "(a < b ? a : b)",
    "pow": "(T)rt_ipow((long)a, (long)b)",
}

# rounding an integer is the identity
INTEGER_UNARY = {"floor": "x", "ceil": "x", "round": "x", "trunc": "x", "frac": "(T)0"}

FLOAT_ONLY = frozenset(
    ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan",
     "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "erf", "erfc", "lgamma",
     "erfinv", "digamma", "trigamma", "div", "pow", "fmax", "fmin", "atan2", "hypot", "copysign", "logaddexp", "xlogy",
     "tanh_backward", "sigmoid_backward")
)

PREDICATES = frozenset(
    ("isnan", "isinf", "isfinite", "signbit", "logical_not", "eq", "ne", "lt", "le", "gt", "ge", "logical_and",
     "logical_or", "logical_xor")
)

# on integers and bools these are always false (isnan, isinf, signbit of unsigned) or true (isfinite)
INTEGER_PREDICATES = {"isnan": "0", "isinf": "0", "isfinite": "1", "signbit": "(x < 0)"}
