"""Core models, one module per aggregate."""

from probity.core.models.access import Compartment, CompartmentGrant, RecordAssignment
from probity.core.models.audit import AuditAction, AuditChainHead, AuditEvent, AuditOutcome
from probity.core.models.deadlines import Deadline, DeadlineRule, DeadlineUnit
from probity.core.models.files import FileAttachment, StoredFile
from probity.core.models.numbering import NumberSequence
from probity.core.models.org import OrgUnit, OrgUnitKind
from probity.core.models.people import Employee, EmployeeAssignment, EmployeeStatus
from probity.core.models.tasks import TaskProgress
from probity.core.models.tokens import ApiToken
from probity.core.models.users import Role, User

__all__ = [
    "ApiToken",
    "AuditAction",
    "AuditChainHead",
    "AuditEvent",
    "AuditOutcome",
    "Compartment",
    "CompartmentGrant",
    "Deadline",
    "DeadlineRule",
    "DeadlineUnit",
    "Employee",
    "EmployeeAssignment",
    "EmployeeStatus",
    "FileAttachment",
    "NumberSequence",
    "OrgUnit",
    "OrgUnitKind",
    "RecordAssignment",
    "Role",
    "StoredFile",
    "TaskProgress",
    "User",
]
