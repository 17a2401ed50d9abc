"""The append-only, SHA-256 hash-chained audit trail."""

from __future__ import annotations

from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    TRANSITION = "transition", "State change"
    VIEW = "view", "View"
    SEARCH = "search", "Search"
    EXPORT = "export", "Export"
    DOWNLOAD = "download", "Download"
    IMPORT = "import", "Import"
    LOGIN = "login", "Login"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOGOUT = "logout", "Logout"
    VERIFY = "verify", "Audit verification"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    FAILURE = "failure", "Failure"


class AuditEvent(models.Model):
    """One event. `hash` covers every other column and the previous event's hash, so altering,
    deleting or reordering any row breaks the chain that `probity audit verify` walks.

    Actor and object are stored as values, not foreign keys: nothing may cascade into this table.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["actor_id", "occurred_at"], name="auditevent_actor_idx"),
            models.Index(fields=["object_type", "object_id"], name="auditevent_object_idx"),
            models.Index(fields=["action", "occurred_at"], name="auditevent_action_idx"),
            models.Index(fields=["occurred_at"], name="auditevent_time_idx"),
        ]
        default_permissions = ("view",)
        permissions = [("verify_chain", "Can verify the audit chain")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id} by {self.actor_username}"


class AuditChainHead(models.Model):
    """The single row holding the last sequence number and hash: locked for every append, so
    concurrent writers queue, and compared by verify, so removing the newest events shows."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="auditchainhead_singleton")]

    def __str__(self) -> str:
        return f"head #{self.seq}"
