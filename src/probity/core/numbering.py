"""Record numbers: one gap-free sequence per prefix and year, safe under concurrent writers."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from probity.core.models import NumberSequence


def next_numbers(prefix: str, year: int, count: int = 1) -> list[str]:
    """Reserve `count` consecutive numbers, formatted PREFIX-YEAR-000123.

    Call inside the transaction that creates the records, so a rollback returns the numbers.
    """
    with transaction.atomic():
        sequence = NumberSequence.objects.select_for_update().filter(prefix=prefix, year=year).first()
        if sequence is None:
            try:
                with transaction.atomic():
                    NumberSequence.objects.create(prefix=prefix, year=year, last=0)
            except IntegrityError:
                pass  # another writer created it first; lock theirs
            sequence = NumberSequence.objects.select_for_update().get(prefix=prefix, year=year)
        first = sequence.last + 1
        sequence.last += count
        sequence.save(update_fields=["last"])
    return [f"{prefix}-{year}-{n:06d}" for n in range(first, first + count)]


def next_number(prefix: str, year: int) -> str:
    return next_numbers(prefix, year, 1)[0]
