"""In-memory repositories, one module per area, each implementing its protocol in
`bot/services/ports/<area>.py` on `FakeDatabase.state`.

AREA_REPOSITORIES maps the unit-of-work attribute to the fake class; add one line per area.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.repositories.allowances import FakeAllowanceRepository
from tests.fakes.repositories.approvals import FakeApprovalRepository
from tests.fakes.repositories.broadcasts import FakeBroadcastRepository
from tests.fakes.repositories.coaching import FakeCoachingRepository
from tests.fakes.repositories.equipment import FakeEquipmentRepository
from tests.fakes.repositories.files import FakePendingFileRepository
from tests.fakes.repositories.history import FakeHistoryRepository
from tests.fakes.repositories.homework import FakeRegistrationRepository
from tests.fakes.repositories.privacy import FakePrivacyRepository
from tests.fakes.repositories.registration_changes import FakeRegistrationChangeRepository
from tests.fakes.repositories.report_versions import FakeReportVersionRepository
from tests.fakes.repositories.reports import FakeReportRepository
from tests.fakes.repositories.staff_org import FakeStaffOrgRepository
from tests.fakes.repositories.webinars import FakeWebinarRepository

AREA_REPOSITORIES: dict[str, Any] = {
    "report_versions": FakeReportVersionRepository,
    "coaching": FakeCoachingRepository,
    "files": FakePendingFileRepository,
    "approvals": FakeApprovalRepository,
    "registrations": FakeRegistrationRepository,
    "registration_changes": FakeRegistrationChangeRepository,
    "equipment": FakeEquipmentRepository,
    "allowances": FakeAllowanceRepository,
    "webinars": FakeWebinarRepository,
    "broadcasts": FakeBroadcastRepository,
    "reports": FakeReportRepository,
    "privacy": FakePrivacyRepository,
    "staff_org": FakeStaffOrgRepository,
    "history": FakeHistoryRepository,
}
