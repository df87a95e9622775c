"""Pieces every app's models share: timestamps and the state-machine guard."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connections, models, router
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import get_history_manager_for_model

from ..errors import DomainError


class TimeStampedModel(models.Model):
    """A UUID public id (the API exposes it) and creation/update times."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class InvalidTransition(DomainError):
    """A state change the transition map does not allow."""

    code = "INVALID_TRANSITION"

    def __init__(self, obj, state: str):
        self.obj = obj
        self.from_state = obj.state
        self.to_state = str(state)
        labels = dict(obj._meta.get_field("state").choices)
        super().__init__(
            f"{obj._meta.verbose_name.capitalize()} {obj} cannot go from "
            f"{labels.get(self.from_state, self.from_state).lower()} to "
            f"{labels.get(self.to_state, self.to_state).lower()}.",
            field="state",
        )


class StateMachine:
    """Mixin for models with a ``state`` field and a ``TRANSITIONS`` map next to it.

    The map is the whole rule: ``{from_state: {allowed to_states}}``. Services lock the row,
    call :meth:`become`, save and record the event; nothing else writes ``state``.
    """

    TRANSITIONS: dict[str, set[str]] = {}

    def can_become(self, state: str) -> bool:
        return state in self.TRANSITIONS.get(self.state, ())

    def become(self, state: str) -> None:
        """Change state in memory; callers hold the row lock, save and record the event."""
        if not self.can_become(state):
            raise InvalidTransition(self, state)
        self.state = state

    @classmethod
    def path(cls, from_state: str, to_state: str) -> list[str]:
        """The shortest list of states leading from ``from_state`` to ``to_state`` (excluded,
        included). Used to walk a record through the real transitions, step by step."""
        routes = {from_state: []}
        frontier = [from_state]
        while frontier:
            following = []
            for state in frontier:
                for target in sorted(cls.TRANSITIONS.get(state, ())):
                    if target not in routes:
                        routes[target] = [*routes[state], target]
                        following.append(target)
            frontier = following
        if to_state not in routes:
            raise ValueError(f"{cls.__name__}: no path from {from_state} to {to_state}")
        return [str(state) for state in routes[to_state]]


def lock_and_become(model, pk, state: str, *, locked=None, also=()):
    """Lock the row, move it to ``state``, stamp its milestone and save.

    Call inside ``transaction.atomic()``. Returns ``(instance, previous_state)``; the caller
    records the event and enqueues side effects with ``transaction.on_commit``. ``locked``: the
    row, already locked in this transaction by the caller, with changes of its own to the
    fields ``also``, saved with the state (one write, one history row).
    """
    instance = locked if locked is not None else model.objects.select_for_update().get(pk=pk)
    previous = instance.state
    instance.save(update_fields=_become(model, [instance], state, also, timezone.now()))
    return instance, previous


def _become(model, instances: list, state: str, also, now) -> list[str]:
    """Move the rows to ``state`` (checked), stamped ``now`` with the state's milestone if it
    has one; returns the fields to save."""
    fields = ["state", "updated_at", *also]
    milestone = getattr(model, "MILESTONES", {}).get(state)
    if milestone:
        fields.append(milestone)
    for instance in instances:
        instance.become(state)
        instance.updated_at = now  # auto_now is a save()'s, not a bulk update's
        if milestone:
            setattr(instance, milestone, now)
    return fields


def become_together(model, instances: list, state: str, *, also=()) -> list[str]:
    """``lock_and_become`` for many rows moving to the same state (the answers of a batch of
    provider calls): each already locked by the caller in its transaction, with changes of its
    own to the fields ``also``; one update and one insert of history rows for all of them.
    Returns their previous states, in order."""
    previous = [instance.state for instance in instances]
    now = timezone.now()
    save_together(model, instances, _become(model, instances, state, also, now))
    get_history_manager_for_model(model).bulk_history_create(
        instances, update=True, default_date=now
    )
    return previous


def save_together(model, instances: list, fields) -> None:
    """Save ``fields`` of many rows in a few statements: the values all of them share in one
    UPDATE, the others in one UPDATE with a CASE on the primary key per field (what
    ``bulk_update`` writes, built here in a fraction of its time: it makes an expression per
    row and field)."""
    if not instances:
        return
    shared, varying = {}, []
    for name in fields:
        field = model._meta.get_field(name)
        first = getattr(instances[0], field.attname)
        if all(getattr(instance, field.attname) == first for instance in instances):
            shared[field.attname] = first
        else:
            varying.append(field)
    if shared:
        model.objects.filter(pk__in=[instance.pk for instance in instances]).update(**shared)
    if varying:
        _update_case(model, instances, varying)


def _update_case(model, instances: list, fields: list) -> None:
    db = connections[router.db_for_write(model)]
    quote = db.ops.quote_name
    pk = model._meta.pk
    keys = [pk.get_db_prep_value(instance.pk, db) for instance in instances]
    whens = " ".join(["WHEN %s THEN %s"] * len(instances))
    assignments, params = [], []
    for field in fields:
        case = f"CASE {quote(pk.column)} {whens} END"
        if db.features.requires_casted_case_in_updates:
            case = f"CAST({case} AS {field.cast_db_type(db)})"
        assignments.append(f"{quote(field.column)} = {case}")
        for key, instance in zip(keys, instances, strict=True):
            params += [key, field.get_db_prep_save(getattr(instance, field.attname), db)]
    # Only quoted names are formatted in; every value is a parameter.
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608
        f"WHERE {quote(pk.column)} IN ({', '.join(['%s'] * len(keys))})"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [*params, *keys])


def state_check(field_name: str, choices, name: str, label: str = "") -> models.CheckConstraint:
    """A CHECK constraint that keeps values outside ``choices`` out of the table."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field_name}__in": choices.values}),
        name=name,
        violation_error_message=f"Not a valid {label or field_name.replace('_', ' ')}.",
    )


def _history_user(request=None, **kwargs):
    """The staff user behind a change, for its history row; API integrators are not users."""
    user = getattr(request, "user", None)
    return user if isinstance(user, AbstractBaseUser) else None


def tracked_history(**options) -> HistoricalRecords:
    """A history of every save of a model (django-simple-history): who, when, what.

    The author is a plain column, not a database constraint (Django still empties it when the
    user is deleted): no constraint trigger per history row written, an import's 100,000 rows
    included."""
    return HistoricalRecords(get_user=_history_user, user_db_constraint=False, **options)
