"""What a test says when an exercise is wrong: which parameter, by how much, and a likely cause.

The numpy test files compare a student's gradients with centred numerical gradients. When they
differ, the message lists every wrong gradient, output side first, each with

- its relative error, max |yours - numeric| / (|yours| + |numeric|), and
- the ratio <yours, numeric> / <numeric, numeric>: 1 when right, -1 for a flipped sign, 4 when
  a division by 4 rows is missing, 0.25 when one is too many,

and a hint when it recognises the mistake: a constant factor, a flipped sign, a transposed or
wrongly shaped result, or one of the mistakes a test names (such as a missing term from the next
time step), which the test passes in as gradients computed with that mistake.
"""

import numpy as np
import pytest

RATIO_NOTE = ("ratio = <yours, numeric> / <numeric, numeric>: 1 when right, -1 for a flipped "
              "sign, 4 for a missing division by 4 rows")


def rel_error(a, b):
    """Largest relative difference between two arrays (0 when they are equal)."""
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def ratio(yours, numeric):
    """<yours, numeric> / <numeric, numeric>: the size of yours along the right answer."""
    scale = float(np.sum(numeric * numeric))
    return float(np.sum(yours * numeric)) / scale if scale > 0 else float("nan")


def shape_hint(name, yours, expected_shape):
    """What a wrongly shaped gradient suggests."""
    if yours.shape == expected_shape[::-1]:
        return f"it is transposed: swap the order of the product that makes d{name}"
    if yours.size == int(np.prod(expected_shape)):
        return "the right numbers in the wrong shape: sum with keepdims=True"
    return "check which arrays the product multiplies"


def value_hint(yours, numeric, tolerance, mistakes):
    """A likely cause for a gradient of the right shape but wrong values, or ''."""
    for cause, wrong in mistakes.items():
        if wrong is not None and rel_error(yours, wrong) < tolerance:
            return cause
    factor = ratio(yours, numeric)
    if not np.isfinite(factor) or factor == 0:
        return "it is zero where it should not be: is the gradient added up?"
    if abs(factor + 1) < 1e-6 and rel_error(-yours, numeric) < tolerance:
        return "the sign is flipped"
    if numeric.size > 1 and rel_error(yours / factor, numeric) < tolerance:  # one number is
        # always some factor times the right one: that says nothing
        return (f"every entry is {factor:.4g} times the right one: a missing or extra division "
                "by the number of rows or steps, or a missing factor?")
    if numeric.ndim == 2 and numeric.shape[0] == numeric.shape[1] \
            and rel_error(yours.T, numeric) < tolerance:
        return "it is transposed: swap the order of the product that makes it"
    return ""


def diagnose(name, yours, numeric, tolerance=1e-6, mistakes=None):
    """One line on what is wrong with the gradient of `name`, or None when it is right."""
    if not isinstance(yours, np.ndarray):
        return f"d{name}: {type(yours).__name__}, not a numpy array"
    if yours.shape != numeric.shape:
        return (f"d{name}: shape {yours.shape}, but {name} has shape {numeric.shape}; "
                + shape_hint(name, yours, numeric.shape))
    if not np.all(np.isfinite(yours)):
        return f"d{name}: holds nan or inf"
    error = rel_error(yours, numeric)
    if error < tolerance:
        return None
    hint = value_hint(yours, numeric, tolerance, mistakes or {})
    return (f"d{name}: relative error {error:.1e}, ratio {ratio(yours, numeric):.3g}"
            + (f"; {hint}" if hint else ""))


def check_gradients(grads, numerical, order, tolerance=1e-6, mistakes=None):
    """Fail with one line per wrong gradient (in `order`, output side first), else pass.

    Inputs:
    - grads: the student's gradients, keyed "d" + name
    - numerical: the numerical gradients, keyed by name
    - order: the parameter names, output side first
    - mistakes: {cause: {name: gradient with that mistake}}, for hints the test recognises
    """
    expected = {"d" + name for name in order}
    if not isinstance(grads, dict) or set(grads) != expected:
        found = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
        pytest.fail(f"backward should return a dict with the keys {sorted(expected)}; "
                    f"it returned {found}", pytrace=False)
    problems = []
    for name in order:
        named = {cause: wrong.get(name) for cause, wrong in (mistakes or {}).items()}
        problem = diagnose(name, grads["d" + name], numerical[name], tolerance, named)
        if problem:
            problems.append(problem)
    if problems:
        right = [name for name in order if not any(p.startswith(f"d{name}:") for p in problems)]
        hints = {problem.partition("; ")[2] for problem in problems}
        shared = hints.pop() if len(problems) > 1 and len(hints) == 1 else ""
        if shared:  # one cause for every wrong gradient: said once, below them
            problems = [problem.partition("; ")[0] for problem in problems]
        pytest.fail("Wrong gradients, output side first:\n  " + "\n  ".join(problems)
                    + (f"\nLikely cause, for all of them: {shared}" if shared else "")
                    + (f"\nRight: {', '.join('d' + name for name in right)}." if right else "")
                    + f"\n({RATIO_NOTE}; numerical gradients by centred differences)",
                    pytrace=False)
