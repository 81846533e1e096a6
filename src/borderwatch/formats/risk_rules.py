"""Risk rule files: YAML in, a checked `RuleSet` out, and back to YAML.

A rule file is untrusted input (an analyst writes it; it may come from another agency). It is
read with PyYAML's safe loader, its shape is checked by pydantic models, and the domain then
checks facts, operators and values (`domain/risk_rules.py`). Every problem found is reported
together, each with its line, the rule id and a reason, in one `InputError`:

    rules.yaml line 14 (rule DOC-EXPIRY-30, rules[0].when.all[1].op): unknown operator 'equals'; ...

The file shape:

    name: default
    version: "2026.1"
    description: ...
    rules:
      - id: DOC-EXPIRY-30
        title: Travel document expires within 30 days
        version: 1
        severity: medium            # low, medium, high
        enabled: true               # optional, default true
        explanation: "document expires in {document.expiry_days} days ({document.expiry_date})"
        rationale: why this is a risk indicator (optional)
        when:                       # a condition: all / any / not, or one comparison
          all:
            - {field: document.expiry_days, op: between, value: [0, 30]}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    Tag,
    ValidationError,
    field_validator,
)

from borderwatch.domain.alerts import Severity
from borderwatch.domain.risk_rules import (
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Not,
    Operator,
    Rule,
    RuleSet,
    RuleValue,
    parse_operator,
)
from borderwatch.errors import InputError, Position

MAX_RULE_FILE_BYTES = 1_000_000
MAX_REPORTED_PROBLEMS = 20

# --- the file's shape (pydantic, at the edge) -----------------------------------------------------


def _condition_tag(data: object) -> str | None:
    """Return which kind of condition a mapping is, from its keys; None when it is none of them."""
    if isinstance(data, dict):
        for key in ("all", "any", "not"):
            if key in data:
                return key
        if "field" in data or "op" in data:
            return "comparison"
    return None


_CONDITION_HELP = (
    "a condition is a mapping with one key 'all', 'any' or 'not', or a comparison {field, op, value}"
)


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


class ComparisonModel(_Shape):
    """`{field: document.expiry_days, op: between, value: [0, 30]}`."""

    field: StrictStr
    op: StrictStr
    value: object = None

    @field_validator("value")
    @classmethod
    def _plain_value(cls, value: object) -> object:
        scalars = (str, int, float, bool, date, datetime)
        if value is None or isinstance(value, scalars):
            return value
        if isinstance(value, list) and all(isinstance(v, scalars) for v in value):
            return value
        raise ValueError("value must be a text, a number, yes/no, a date, or a list of those")


class AllModel(_Shape):
    """`{all: [condition, ...]}`: every condition holds."""

    all: list[ConditionModel] = Field(min_length=1)


class AnyModel(_Shape):
    """`{any: [condition, ...]}`: at least one condition holds."""

    any: list[ConditionModel] = Field(min_length=1)


class NotModel(_Shape):
    """`{not: condition}`: the condition does not hold."""

    not_: ConditionModel = Field(alias="not")


ConditionModel = Annotated[
    Annotated[AllModel, Tag("all")]
    | Annotated[AnyModel, Tag("any")]
    | Annotated[NotModel, Tag("not")]
    | Annotated[ComparisonModel, Tag("comparison")],
    Discriminator(_condition_tag, custom_error_type="condition", custom_error_message=_CONDITION_HELP),
]


class RuleModel(_Shape):
    """One rule as written in the file."""

    id: StrictStr = Field(min_length=1, max_length=64)
    title: StrictStr = Field(min_length=1, max_length=200)
    version: StrictInt = Field(ge=1)
    severity: Literal["low", "medium", "high"]
    explanation: StrictStr = Field(min_length=1, max_length=500)
    rationale: StrictStr = Field(default="", max_length=2000)
    enabled: StrictBool = True
    when: ConditionModel


class RuleSetModel(_Shape):
    """The whole file."""

    name: StrictStr = Field(min_length=1, max_length=100)
    version: StrictStr = Field(min_length=1, max_length=40)
    description: StrictStr = Field(default="", max_length=2000)
    rules: list[object]  # each rule is validated on its own, so one bad rule does not hide the others

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: object) -> object:
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            # YAML reads 2026.10 as the number 2026.1: refuse rather than guess.
            raise ValueError(f'write the version in quotes ("{value}"), or YAML reads it as a number')
        return value


AllModel.model_rebuild()
AnyModel.model_rebuild()
NotModel.model_rebuild()
RuleModel.model_rebuild()
RuleSetModel.model_rebuild()


# --- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Finding:
    line: int | None
    rule_id: str
    where: str
    reason: str


def _path_text(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _node_at(root: yaml.Node, loc: Sequence[int | str]) -> yaml.Node:
    """Return the deepest YAML node on the path `loc`; steps the YAML does not have are skipped
    (pydantic adds union tags such as `comparison` to its error locations)."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            found = next(
                (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None
            )
            if found is not None:
                node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
    return node


def _line(root: yaml.Node | None, loc: Sequence[int | str]) -> int | None:
    if root is None:
        return None
    return _node_at(root, loc).start_mark.line + 1


def _rule_id_at(data: object, loc: Sequence[int | str]) -> str:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(data, dict):
        rules = data.get("rules")
        if isinstance(rules, list) and 0 <= loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
            rule_id = rules[loc[1]].get("id")
            return rule_id if isinstance(rule_id, str) else f"#{loc[1] + 1}"
    return ""


def _reason(error_type: str, message: str, loc: Sequence[int | str]) -> str:
    last = loc[-1] if loc else ""
    if error_type == "extra_forbidden":
        if last == "field" or last == "op":
            return f"unknown key '{last}'"
        return f"unknown key '{last}'; check its spelling"
    if error_type == "missing":
        return f"'{last}' is required"
    if error_type == "literal_error" and last == "severity":
        return "severity must be one of low, medium, high"
    return message.removeprefix("Value error, ")


def _clean_loc(loc: Sequence[int | str]) -> tuple[int | str, ...]:
    """Return an error location without the union tags pydantic adds (`all`, `comparison`...)."""
    out: list[int | str] = []
    for part in loc:
        if part == "comparison" or (part in ("all", "any", "not") and out and out[-1] == part):
            continue
        out.append(part)
    return tuple(out)


def _load_yaml(text: str, source: str) -> tuple[object, yaml.Node | None]:
    """Return the data and the node tree (for line numbers) of a YAML text read with the safe loader."""
    loader: yaml.SafeLoader | None = None
    try:
        _refuse_aliases(text, source)
        loader = yaml.SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None, None
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = f"not readable YAML: {exc.problem or exc.context or exc}"
        raise InputError(
            f"{source} line {line}: {reason}" if line else f"{source}: {reason}",
            source=source,
            position=Position(line=line),
            reason=reason,
        ) from exc
    except yaml.YAMLError as exc:  # ReaderError: control characters, bad encoding
        reason = f"not readable YAML: {exc}".replace("\n", " ")
        raise InputError(f"{source}: {reason}", source=source, reason=reason) from exc
    except RecursionError as exc:
        reason = "the file nests too deeply to be a rule file"
        raise InputError(f"{source}: {reason}", source=source, reason=reason) from exc
    finally:
        if loader is not None:
            loader.dispose()


def _refuse_aliases(text: str, source: str) -> None:
    """Refuse YAML aliases (`*name`): a small file could expand into a huge structure ("billion
    laughs"), and a rule file has no need for them. Scanning tokens finds them before any is built."""
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, yaml.AliasToken):
            line = token.start_mark.line + 1
            reason = "YAML aliases (*name) are not allowed in rule files; write the value out"
            raise InputError(
                f"{source} line {line}: {reason}", source=source, position=Position(line=line), reason=reason
            )


def _condition_with_path(
    model: AllModel | AnyModel | NotModel | ComparisonModel, loc: tuple[int | str, ...]
) -> tuple[Condition | None, _Finding | None, tuple[int | str, ...]]:
    """Return the domain condition, or the first problem and where it sits in the file."""
    if isinstance(model, AllModel | AnyModel):
        key = "all" if isinstance(model, AllModel) else "any"
        children: list[Condition] = []
        for i, child in enumerate(model.all if isinstance(model, AllModel) else model.any):
            built, finding, where = _condition_with_path(child, (*loc, key, i))
            if built is None:
                return None, finding, where
            children.append(built)
        return (AllOf(tuple(children)) if key == "all" else AnyOf(tuple(children))), None, loc
    if isinstance(model, NotModel):
        built, finding, where = _condition_with_path(model.not_, (*loc, "not"))
        return (Not(built) if built is not None else None), finding, where
    # Check fact, then operator, then value, so the message points at the key that is wrong.
    for key, check in (
        ("field", lambda: Comparison.build(model.field, "exists")),
        ("op", lambda: parse_operator(model.op)),
    ):
        try:
            check()
        except InputError as exc:
            return None, _Finding(None, "", "", exc.reason), (*loc, key)
    try:
        return Comparison.build(model.field, model.op, model.value), None, loc
    except InputError as exc:
        key = "op" if "does not fit" in exc.reason else "value"
        return None, _Finding(None, "", "", exc.reason), (*loc, key)


def parse_rule_set(text: str | bytes, source: str = "rules") -> RuleSet:
    """Return the rule set a YAML rule file holds; any problem raises one InputError naming them all.

    `source` names the file in messages (a path or `default.yaml`).
    """
    if isinstance(text, bytes):
        if len(text) > MAX_RULE_FILE_BYTES:
            raise _too_large(source, len(text))
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            reason = f"not UTF-8 text (byte {exc.start})"
            raise InputError(
                f"{source}: {reason}", source=source, position=Position(offset=exc.start), reason=reason
            ) from exc
    if len(text) > MAX_RULE_FILE_BYTES:
        raise _too_large(source, len(text))
    data, root = _load_yaml(text, source)
    if not isinstance(data, dict):
        reason = "a rule file is a mapping with name, version and rules"
        raise InputError(f"{source}: {reason}", source=source, position=Position(line=1), reason=reason)
    findings: list[_Finding] = []
    try:
        head: RuleSetModel | None = RuleSetModel.model_validate(data)
    except ValidationError as exc:
        head = None
        findings.extend(_findings(exc, (), data, root))
    raw_rules = data.get("rules")
    rules: list[Rule] = []
    for index, raw in enumerate(raw_rules if isinstance(raw_rules, list) else []):
        loc: tuple[int | str, ...] = ("rules", index)
        try:
            rule_model = RuleModel.model_validate(raw)
        except ValidationError as exc:
            findings.extend(_findings(exc, loc, data, root))
            continue
        rule, finding = _rule(rule_model, loc, root)
        if finding is not None:
            findings.append(finding)
        if rule is not None:
            rules.append(rule)
    if not findings and head is not None:
        if not rules:
            reason = "the rule set holds no rule"
            findings.append(_Finding(_line(root, ("rules",)), "", "rules", reason))
        else:
            try:
                return RuleSet(head.name, head.version, tuple(rules), head.description)
            except InputError as exc:
                duplicate = _duplicate_index(rules)
                at: tuple[int | str, ...] = (
                    ("rules", duplicate, "id") if duplicate is not None else ("rules",)
                )
                findings.append(_Finding(_line(root, at), _rule_id_at(data, at), _path_text(at), exc.reason))
    raise _report(source, findings)


def _findings(
    exc: ValidationError, prefix: tuple[int | str, ...], data: object, root: yaml.Node | None
) -> list[_Finding]:
    out: list[_Finding] = []
    for err in exc.errors():
        loc = (*prefix, *err["loc"])
        out.append(
            _Finding(
                _line(root, loc),
                _rule_id_at(data, loc),
                _path_text(_clean_loc(loc)),
                _reason(err["type"], err["msg"], loc),
            )
        )
    return out


def _rule(
    model: RuleModel, loc: tuple[int | str, ...], root: yaml.Node | None
) -> tuple[Rule | None, _Finding | None]:
    """Return the domain rule for a well-shaped rule model, or the first problem the domain finds."""
    condition, finding, where = _condition_with_path(model.when, (*loc, "when"))
    if condition is None:
        assert finding is not None
        return None, _Finding(_line(root, where), model.id, _path_text(where), finding.reason)
    try:
        rule = Rule(
            id=model.id,
            title=model.title,
            version=model.version,
            severity=Severity(model.severity),
            explanation=model.explanation,
            condition=condition,
            enabled=model.enabled,
            rationale=model.rationale,
        )
    except InputError as exc:
        key = "when"
        if exc.reason.startswith("rule id"):
            key = "id"
        elif exc.reason.startswith("rule title"):
            key = "title"
        elif exc.reason.startswith(("explanation", "unknown fact")):
            key = "explanation"
        return None, _Finding(_line(root, (*loc, key)), model.id, _path_text((*loc, key)), exc.reason)
    return rule, None


def _duplicate_index(rules: Sequence[Rule]) -> int | None:
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        if rule.id in seen:
            return index
        seen.add(rule.id)
    return None


def _too_large(source: str, size: int) -> InputError:
    reason = f"rule file is {size} bytes; at most {MAX_RULE_FILE_BYTES} allowed"
    return InputError(f"{source}: {reason}", source=source, reason=reason)


def _report(source: str, findings: Sequence[_Finding]) -> InputError:
    """Return one error listing every finding (the first one also fills position/field/reason)."""

    def text(f: _Finding) -> str:
        where = f"line {f.line}" if f.line else "unknown line"
        about = ", ".join(p for p in (f"rule {f.rule_id}" if f.rule_id else "", f.where) if p)
        return f"{source} {where}" + (f" ({about})" if about else "") + f": {f.reason}"

    lines = [text(f) for f in findings[:MAX_REPORTED_PROBLEMS]]
    if len(findings) > MAX_REPORTED_PROBLEMS:
        lines.append(f"... and {len(findings) - MAX_REPORTED_PROBLEMS} more problems")
    first = findings[0]
    head = lines[0] if len(findings) == 1 else f"{source}: {len(findings)} problems in the rule file\n"
    message = head if len(findings) == 1 else head + "\n".join(lines)
    return InputError(
        message,
        source=source,
        position=Position(line=first.line),
        field=first.where,
        reason=first.reason if len(findings) == 1 else "; ".join(f.reason for f in findings[:5]),
    )


# --- writing --------------------------------------------------------------------------------------


def _plain(value: RuleValue) -> object:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _condition_data(condition: Condition) -> dict[str, object]:
    if isinstance(condition, AllOf):
        return {"all": [_condition_data(c) for c in condition.conditions]}
    if isinstance(condition, AnyOf):
        return {"any": [_condition_data(c) for c in condition.conditions]}
    if isinstance(condition, Not):
        return {"not": _condition_data(condition.condition)}
    data: dict[str, object] = {"field": condition.fact, "op": condition.op.value}
    if condition.op not in (Operator.EXISTS, Operator.MISSING):
        data["value"] = _plain(condition.value)
    return data


def rule_set_data(rule_set: RuleSet) -> dict[str, object]:
    """Return the rule set as plain data in the rule-file shape (for YAML or JSON)."""
    rules: list[dict[str, object]] = []
    for rule in rule_set.rules:
        item: dict[str, object] = {
            "id": rule.id,
            "title": rule.title,
            "version": rule.version,
            "severity": rule.severity.value,
            "enabled": rule.enabled,
            "explanation": rule.explanation,
        }
        if rule.rationale:
            item["rationale"] = rule.rationale
        item["when"] = _condition_data(rule.condition)
        rules.append(item)
    data: dict[str, object] = {"name": rule_set.name, "version": rule_set.version}
    if rule_set.description:
        data["description"] = rule_set.description
    data["rules"] = rules
    return data


def dump_rule_set(rule_set: RuleSet) -> str:
    """Return the rule set as YAML text that `parse_rule_set` reads back to an equal rule set."""
    return yaml.safe_dump(
        rule_set_data(rule_set), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
