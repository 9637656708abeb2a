"""Validation rules between indicators, written as simple expressions over indicator codes:
`dialogues_resolved <= dialogues_held`, `a + b == total`, `x > 0 or y == 0`.

Parsed with Python's own parser and evaluated by walking a short whitelist of node types, so a
rule can compare and add figures and nothing else."""

import ast
import operator
from decimal import Decimal

from django.utils.translation import gettext as _

from giaoban.core.errors import ApplicationError

_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


class Missing(Exception):
    """A figure the rule needs has not been entered: the rule cannot be judged yet."""


def parse_rule(expression: str, known: set[str]) -> ast.Expression:
    """Parse and check a rule; refuse unknown names and anything but comparisons and arithmetic."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        raise ApplicationError(
            _("The rule “%(rule)s” cannot be read.") % {"rule": expression}
        ) from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in known:
            raise ApplicationError(
                _("The rule “%(rule)s” names an unknown indicator “%(code)s”.")
                % {"rule": expression, "code": node.id}
            )
        if not isinstance(node, _ALLOWED):
            raise ApplicationError(
                _("The rule “%(rule)s” may only compare and add figures.") % {"rule": expression}
            )
    return tree


def rule_holds(tree: ast.Expression, values: dict[str, Decimal | bool | None]) -> bool:
    """True or False, or raise Missing when a figure it needs is empty."""
    return bool(_eval(tree.body, values))


def _eval(node, values):
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | bool):
        return Decimal(str(node.value)) if not isinstance(node.value, bool) else node.value
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        if value is None:
            raise Missing(node.id)
        return value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _eval(node.operand, values)
    if isinstance(node, ast.BinOp):
        right = _eval(node.right, values)
        if isinstance(node.op, ast.Div) and right == 0:
            raise Missing("division by zero")
        return _ARITHMETIC[type(node.op)](_eval(node.left, values), right)
    if isinstance(node, ast.BoolOp):
        results = [_eval(v, values) for v in node.values]
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, values)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    raise ApplicationError(_("This rule cannot be evaluated."))  # parse_rule keeps us from here


_ALLOWED = (
    ast.Expression,
    ast.Compare,
    ast.BinOp,
    ast.BoolOp,
    ast.UnaryOp,
    ast.Name,
    ast.Constant,
    ast.Load,
    ast.And,
    ast.Or,
    ast.Not,
    ast.USub,
    *_COMPARE,
    *_ARITHMETIC,
)
