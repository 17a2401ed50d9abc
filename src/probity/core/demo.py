"""A synthetic CBP-like agency for demonstrations and tests: org tree, workforce, demo logins.

`plan_demo` is pure: the same scale, seed and date give the same plan, byte for byte (Faker
and `random.Random` are both seeded, nothing reads the clock or a global generator).
`load_demo` writes a plan in one transaction: org units and users through their services,
the workforce in bulk with one audit event per employee. Then each app adds its own part
(intake's year of allegations, …) through `register_extension`, called from the app's
AppConfig.ready(), so that core imports no domain app.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from faker import Faker

from probity.core import audit
from probity.core.models import (
    AuditAction,
    Employee,
    EmployeeAssignment,
    EmployeeStatus,
    OrgUnit,
    OrgUnitKind,
    Role,
    User,
)
from probity.core.services.org import add_org_unit
from probity.core.services.people import audit_changes
from probity.core.services.users import create_user

WORKFORCE_AT_SCALE_1 = 6000
MAX_SCALE = 50.0
PASSWORD_FILE = "demo-password.txt"  # noqa: S105  (a file name, not a password)
ACTIVE = EmployeeStatus.ACTIVE
YEAR = dt.timedelta(days=365)

AGENCY = "CBP"
OPR = "OPR"
INVESTIGATIVE_OPERATIONS = "OPR-IOD"
AGENT_OFFICE = "OPR-TUC"  # where the demo agent (and the recused agent) work

# --- positions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    title: str
    series: str
    grades: tuple[str, ...]  # drawn uniformly; repeat a grade to weight it
    law_enforcement: bool = False


def _p(title: str, series: str, grades: str, *, le: bool = False) -> Position:
    return Position(title, series, tuple(grades.split()), le)


@dataclass(frozen=True)
class Staffing:
    """Who works in one kind of unit: its head, first-line supervisors and staff (weighted)."""

    head: Position
    supervisor: Position
    staff: tuple[tuple[int, Position], ...]

    @property
    def primary(self) -> Position:
        return self.staff[0][1]

    @property
    def weights(self) -> list[int]:
        return [weight for weight, _ in self.staff]


SPECIAL_AGENT = _p("Special Agent (Criminal Investigator)", "1811", "GS-13 GS-13 GS-13 GS-12", le=True)
MISSION_SUPPORT = _p("Mission Support Specialist", "0301", "GS-9 GS-11 GS-12")
PROGRAM_ANALYST = _p("Management and Program Analyst", "0343", "GS-11 GS-12 GS-13")

STAFFING: dict[str, Staffing] = {
    "support": Staffing(
        _p("Director", "0340", "GS-15"),
        _p("Supervisory Management and Program Analyst", "0343", "GS-14"),
        (
            (4, MISSION_SUPPORT),
            (3, PROGRAM_ANALYST),
            (2, _p("Budget Analyst", "0560", "GS-11 GS-12")),
            (2, _p("Human Resources Specialist", "0201", "GS-11 GS-12")),
            (2, _p("Information Technology Specialist", "2210", "GS-12 GS-13")),
            (1, _p("Contract Specialist", "1102", "GS-11 GS-12")),
        ),
    ),
    "opr_hq": Staffing(
        _p("Director", "1811", "GS-15", le=True),
        _p("Supervisory Special Agent", "1811", "GS-14", le=True),
        ((3, SPECIAL_AGENT), (2, PROGRAM_ANALYST), (1, MISSION_SUPPORT)),
    ),
    "opr_field": Staffing(
        _p("Special Agent in Charge", "1811", "GS-15", le=True),
        _p("Supervisory Special Agent", "1811", "GS-14", le=True),
        (
            (8, SPECIAL_AGENT),
            (1, _p("Investigative Assistant", "1802", "GS-7 GS-8 GS-9")),
            (1, MISSION_SUPPORT),
        ),
    ),
    "opr_intake": Staffing(
        _p("Director, Joint Intake Center", "1811", "GS-15", le=True),
        _p("Supervisory Intake Specialist", "1801", "GS-13"),
        (
            (5, _p("Intake Specialist", "1801", "GS-11 GS-12")),
            (2, SPECIAL_AGENT),
            (1, _p("Investigative Assistant", "1802", "GS-8 GS-9")),
        ),
    ),
    "opr_operations": Staffing(
        _p("Director", "1811", "GS-15", le=True),
        _p("Supervisory Special Agent", "1811", "GS-14", le=True),
        (
            (4, SPECIAL_AGENT),
            (1, _p("Use of Force Program Manager", "0301", "GS-13 GS-14")),
            (1, _p("Death in Custody Review Program Manager", "0301", "GS-13 GS-14")),
            (1, _p("PREA Program Manager", "0301", "GS-13")),
        ),
    ),
    "opr_analysis": Staffing(
        _p("Director", "0132", "GS-15"),
        _p("Supervisory Intelligence Research Specialist", "0132", "GS-14"),
        (
            (4, _p("Intelligence Research Specialist", "0132", "GS-12 GS-13")),
            (2, _p("Data Scientist", "1560", "GS-13")),
            (1, _p("Operations Research Analyst", "1515", "GS-13")),
        ),
    ),
    "opr_polygraph": Staffing(
        _p("Director, Credibility Assessment", "1811", "GS-15", le=True),
        _p("Supervisory Polygraph Examiner", "1811", "GS-14", le=True),
        (
            (6, _p("Polygraph Examiner", "1811", "GS-13", le=True)),
            (1, _p("Quality Control Polygraph Examiner", "1811", "GS-13", le=True)),
            (1, _p("Mission Support Assistant", "0303", "GS-7")),
        ),
    ),
    "opr_personnel_security": Staffing(
        _p("Director, Personnel Security", "0080", "GS-15"),
        _p("Supervisory Personnel Security Specialist", "0080", "GS-14"),
        (
            (6, _p("Personnel Security Specialist (Adjudicator)", "0080", "GS-11 GS-12 GS-13")),
            (2, _p("Security Assistant", "0086", "GS-7 GS-8")),
        ),
    ),
    "opr_security_management": Staffing(
        _p("Director, Security Management", "0080", "GS-15"),
        _p("Supervisory Security Specialist", "0080", "GS-14"),
        (
            (4, _p("Security Specialist (Inspections)", "0080", "GS-12 GS-13")),
            (2, _p("Physical Security Specialist", "0080", "GS-12")),
            (1, _p("Information Security Specialist", "0080", "GS-12")),
        ),
    ),
    "ofo_hq": Staffing(
        _p("Director, Field Operations", "1895", "SES", le=True),
        _p("Assistant Director, Field Operations", "1895", "GS-15", le=True),
        (
            (3, _p("CBP Officer (Program Manager)", "1895", "GS-13 GS-14", le=True)),
            (2, MISSION_SUPPORT),
            (1, PROGRAM_ANALYST),
        ),
    ),
    "ofo_port": Staffing(
        _p("Port Director", "1895", "GS-15", le=True),
        _p("Supervisory CBP Officer", "1895", "GS-13", le=True),
        (
            (24, _p("CBP Officer", "1895", "GS-5 GS-7 GS-9 GS-11 GS-11 GS-12 GS-12 GS-12 GS-12", le=True)),
            (3, _p("CBP Agriculture Specialist", "0401", "GS-9 GS-11 GS-11")),
            (1, _p("Import Specialist", "1889", "GS-11 GS-12")),
            (2, _p("Mission Support Specialist", "0301", "GS-7 GS-9 GS-11")),
        ),
    ),
    "usbp_hq": Staffing(
        _p("Chief Patrol Agent", "1896", "SES", le=True),
        _p("Division Chief", "1896", "GS-15", le=True),
        (
            (3, _p("Border Patrol Agent (Intelligence)", "1896", "GS-12 GS-13", le=True)),
            (3, MISSION_SUPPORT),
            (1, _p("Law Enforcement Communications Assistant", "1802", "GS-7")),
        ),
    ),
    "usbp_station": Staffing(
        _p("Patrol Agent in Charge", "1896", "GS-15", le=True),
        _p("Supervisory Border Patrol Agent", "1896", "GS-13", le=True),
        (
            (30, _p("Border Patrol Agent", "1896", "GS-5 GS-7 GS-9 GS-11 " + "GS-12 " * 6, le=True)),
            (1, _p("Mission Support Assistant", "0303", "GS-6 GS-7")),
            (1, _p("Law Enforcement Information Systems Specialist", "2210", "GS-11")),
        ),
    ),
    "amo_branch": Staffing(
        _p("Director, Air Operations", "1881", "GS-15", le=True),
        _p("Supervisory Air Interdiction Agent", "1881", "GS-14", le=True),
        (
            (5, _p("Air Interdiction Agent", "1881", "GS-12 GS-13", le=True)),
            (3, _p("Marine Interdiction Agent", "1801", "GS-11 GS-12", le=True)),
            (2, _p("Aviation Enforcement Agent", "1801", "GS-12", le=True)),
            (1, MISSION_SUPPORT),
        ),
    ),
}
CONTRACTOR_POSITIONS = (
    "Information Technology Specialist (contractor)",
    "Program Analyst (contractor)",
    "Facilities Technician (contractor)",
    "Investigative Support Analyst (contractor)",
)

# --- the organisation -----------------------------------------------------------------------

# The demo agency as an outline: two spaces of indent per level; then
# code | kind | staffing | people at scale 1 | name | city and state.
# People at scale 1 are weights: the whole workforce is scaled to WORKFORCE_AT_SCALE_1 * scale.
ORGANISATION = """
CBP | agency | support | 20 | U.S. Customs and Border Protection | Washington DC
  OPR | directorate | opr_hq | 8 | Office of Professional Responsibility | Washington DC
    OPR-IOD | directorate | opr_hq | 4 | Investigative Operations Directorate | Washington DC
      OPR-FID | division | opr_hq | 4 | Field Investigations Division | Washington DC
        OPR-WAS | field_office | opr_field | 12 | OPR Washington Field Office | Washington DC
        OPR-JAM | field_office | opr_field | 7 | OPR Jamaica Field Office | Jamaica NY
        OPR-BUF | field_office | opr_field | 7 | OPR Buffalo Field Office | Buffalo NY
        OPR-CHM | field_office | opr_field | 7 | OPR Champlain Field Office | Champlain NY
        OPR-BGR | field_office | opr_field | 7 | OPR Bangor Field Office | Bangor ME
        OPR-DET | field_office | opr_field | 7 | OPR Detroit Field Office | Detroit MI
        OPR-IND | field_office | opr_field | 7 | OPR Indianapolis Field Office | Indianapolis IN
        OPR-SEA | field_office | opr_field | 7 | OPR Seattle Field Office | Seattle WA
        OPR-BLI | field_office | opr_field | 7 | OPR Bellingham Field Office | Bellingham WA
        OPR-SFO | field_office | opr_field | 7 | OPR San Francisco Field Office | San Francisco CA
        OPR-LAX | field_office | opr_field | 7 | OPR Los Angeles Field Office | Los Angeles CA
        OPR-SAN | field_office | opr_field | 7 | OPR San Diego Field Office | San Diego CA
        OPR-ELC | field_office | opr_field | 7 | OPR El Centro Field Office | El Centro CA
        OPR-YUM | field_office | opr_field | 7 | OPR Yuma Field Office | Yuma AZ
        OPR-TUC | field_office | opr_field | 7 | OPR Tucson Field Office | Tucson AZ
        OPR-SVA | field_office | opr_field | 7 | OPR Sierra Vista Field Office | Sierra Vista AZ
        OPR-ELP | field_office | opr_field | 7 | OPR El Paso Field Office | El Paso TX
        OPR-DRT | field_office | opr_field | 7 | OPR Del Rio Field Office | Del Rio TX
        OPR-LRD | field_office | opr_field | 7 | OPR Laredo Field Office | Laredo TX
        OPR-MFE | field_office | opr_field | 7 | OPR McAllen Field Office | McAllen TX
        OPR-BRO | field_office | opr_field | 7 | OPR Brownsville Field Office | Brownsville TX
        OPR-HOU | field_office | opr_field | 7 | OPR Houston Field Office | Houston TX
        OPR-ATL | field_office | opr_field | 7 | OPR Atlanta Field Office | Atlanta GA
        OPR-SJU | field_office | opr_field | 7 | OPR San Juan Field Office | San Juan PR
        OPR-MIA | field_office | opr_field | 7 | OPR Miami Field Office | Miami FL
        OPR-GLY | field_office | opr_field | 7 | OPR Glynco Field Office | Glynco GA
      OPR-OD | division | opr_operations | 14 | Operations Division | Washington DC
      OPR-OSD | division | opr_hq | 8 | Operations Support Division | Washington DC
        OPR-JIC | headquarters | opr_intake | 30 | Joint Intake Center | Washington DC
      OPR-TMAD | division | opr_analysis | 16 | Threat Mitigation and Analysis Division | Washington DC
    OPR-SOD | directorate | opr_hq | 4 | Security Operations Directorate | Washington DC
      OPR-CAD | division | opr_polygraph | 36 | Credibility Assessment Division | Washington DC
      OPR-PSD | division | opr_personnel_security | 45 | Personnel Security Division | Minneapolis MN
      OPR-SMD | division | opr_security_management | 14 | Security Management Division | Washington DC
    OPR-MSD | division | support | 16 | Mission Support Division | Washington DC
  OFO | directorate | support | 12 | Office of Field Operations | Washington DC
    OFO-SDFO | field_office | ofo_hq | 10 | San Diego Field Office | San Diego CA
      POE-SYS | port_of_entry | ofo_port | 260 | San Ysidro Port of Entry | San Ysidro CA
      POE-OTM | port_of_entry | ofo_port | 160 | Otay Mesa Port of Entry | San Diego CA
      POE-CXL | port_of_entry | ofo_port | 120 | Calexico Port of Entry | Calexico CA
      POE-TEC | port_of_entry | ofo_port | 25 | Tecate Port of Entry | Tecate CA
      POE-AND | port_of_entry | ofo_port | 20 | Andrade Port of Entry | Winterhaven CA
    OFO-TFO | field_office | ofo_hq | 10 | Tucson Field Office | Tucson AZ
      POE-NOG | port_of_entry | ofo_port | 180 | Nogales Port of Entry | Nogales AZ
      POE-DOU | port_of_entry | ofo_port | 60 | Douglas Port of Entry | Douglas AZ
      POE-SLU | port_of_entry | ofo_port | 70 | San Luis Port of Entry | San Luis AZ
      POE-LUK | port_of_entry | ofo_port | 18 | Lukeville Port of Entry | Lukeville AZ
      POE-NAC | port_of_entry | ofo_port | 20 | Naco Port of Entry | Naco AZ
    OFO-EPFO | field_office | ofo_hq | 10 | El Paso Field Office | El Paso TX
      POE-ELP | port_of_entry | ofo_port | 260 | El Paso Port of Entry | El Paso TX
      POE-STR | port_of_entry | ofo_port | 35 | Santa Teresa Port of Entry | Santa Teresa NM
      POE-PRE | port_of_entry | ofo_port | 22 | Presidio Port of Entry | Presidio TX
      POE-COL | port_of_entry | ofo_port | 18 | Columbus Port of Entry | Columbus NM
    OFO-LFO | field_office | ofo_hq | 10 | Laredo Field Office | Laredo TX
      POE-LRD | port_of_entry | ofo_port | 280 | Laredo Port of Entry | Laredo TX
      POE-HID | port_of_entry | ofo_port | 150 | Hidalgo/Pharr Port of Entry | Pharr TX
      POE-BRO | port_of_entry | ofo_port | 140 | Brownsville Port of Entry | Brownsville TX
      POE-EGP | port_of_entry | ofo_port | 70 | Eagle Pass Port of Entry | Eagle Pass TX
      POE-DRT | port_of_entry | ofo_port | 45 | Del Rio Port of Entry | Del Rio TX
      POE-PRO | port_of_entry | ofo_port | 30 | Progreso Port of Entry | Progreso TX
      POE-ROM | port_of_entry | ofo_port | 25 | Roma Port of Entry | Roma TX
    OFO-HFO | field_office | ofo_hq | 10 | Houston Field Office | Houston TX
      POE-HOU | port_of_entry | ofo_port | 120 | Houston/Galveston Port of Entry | Houston TX
    OFO-MFO | field_office | ofo_hq | 10 | Miami Field Office | Miami FL
      POE-MIA | port_of_entry | ofo_port | 220 | Miami International Airport | Miami FL
      POE-PEV | port_of_entry | ofo_port | 40 | Port Everglades | Fort Lauderdale FL
    OFO-NYFO | field_office | ofo_hq | 10 | New York Field Office | New York NY
      POE-JFK | port_of_entry | ofo_port | 300 | John F. Kennedy International Airport | Jamaica NY
      POE-NWK | port_of_entry | ofo_port | 120 | Newark/New York Port of Entry | Newark NJ
    OFO-BFO | field_office | ofo_hq | 10 | Buffalo Field Office | Buffalo NY
      POE-BUF | port_of_entry | ofo_port | 110 | Buffalo-Niagara Falls Port of Entry | Buffalo NY
      POE-CHM | port_of_entry | ofo_port | 50 | Champlain Port of Entry | Champlain NY
    OFO-DFO | field_office | ofo_hq | 10 | Detroit Field Office | Detroit MI
      POE-DET | port_of_entry | ofo_port | 150 | Detroit Port of Entry | Detroit MI
      POE-PHU | port_of_entry | ofo_port | 45 | Port Huron Port of Entry | Port Huron MI
    OFO-SEFO | field_office | ofo_hq | 10 | Seattle Field Office | Seattle WA
      POE-BLA | port_of_entry | ofo_port | 100 | Blaine Port of Entry | Blaine WA
      POE-SEA | port_of_entry | ofo_port | 80 | Seattle Port of Entry | Seattle WA
    OFO-LAFO | field_office | ofo_hq | 10 | Los Angeles Field Office | Long Beach CA
      POE-LAX | port_of_entry | ofo_port | 200 | Los Angeles International Airport | Los Angeles CA
      POE-LALB | port_of_entry | ofo_port | 110 | Los Angeles/Long Beach Seaport | San Pedro CA
    OFO-SJFO | field_office | ofo_hq | 10 | San Juan Field Office | San Juan PR
      POE-SJU | port_of_entry | ofo_port | 80 | San Juan Port of Entry | San Juan PR
    OFO-AFO | field_office | ofo_hq | 10 | Atlanta Field Office | Atlanta GA
      POE-ATL | port_of_entry | ofo_port | 80 | Atlanta Port of Entry | Atlanta GA
  USBP | directorate | usbp_hq | 10 | U.S. Border Patrol | Washington DC
    USBP-SDC | headquarters | usbp_hq | 25 | San Diego Sector | Chula Vista CA
      USBP-SDC-IMB | station | usbp_station | 110 | Imperial Beach Station | Imperial Beach CA
      USBP-SDC-CHU | station | usbp_station | 120 | Chula Vista Station | Chula Vista CA
      USBP-SDC-BRF | station | usbp_station | 100 | Brown Field Station | San Diego CA
      USBP-SDC-ECJ | station | usbp_station | 60 | El Cajon Station | El Cajon CA
      USBP-SDC-CAM | station | usbp_station | 70 | Campo Station | Campo CA
      USBP-SDC-BLV | station | usbp_station | 50 | Boulevard Station | Boulevard CA
    USBP-ELC | headquarters | usbp_hq | 25 | El Centro Sector | El Centro CA
      USBP-ELC-ELC | station | usbp_station | 80 | El Centro Station | Imperial CA
      USBP-ELC-CXL | station | usbp_station | 70 | Calexico Station | Calexico CA
      USBP-ELC-IND | station | usbp_station | 40 | Indio Station | Indio CA
    USBP-YUM | headquarters | usbp_hq | 25 | Yuma Sector | Yuma AZ
      USBP-YUM-YUM | station | usbp_station | 100 | Yuma Station | Yuma AZ
      USBP-YUM-WEL | station | usbp_station | 60 | Wellton Station | Wellton AZ
      USBP-YUM-BLY | station | usbp_station | 40 | Blythe Station | Blythe CA
    USBP-TCA | headquarters | usbp_hq | 25 | Tucson Sector | Tucson AZ
      USBP-TCA-TUS | station | usbp_station | 120 | Tucson Station | Tucson AZ
      USBP-TCA-NGL | station | usbp_station | 130 | Nogales Station | Nogales AZ
      USBP-TCA-DGL | station | usbp_station | 90 | Douglas Station | Douglas AZ
      USBP-TCA-NAC | station | usbp_station | 80 | Brian A. Terry Station | Naco AZ
      USBP-TCA-CGR | station | usbp_station | 70 | Casa Grande Station | Casa Grande AZ
      USBP-TCA-AJO | station | usbp_station | 70 | Ajo Station | Why AZ
      USBP-TCA-SON | station | usbp_station | 40 | Sonoita Station | Sonoita AZ
      USBP-TCA-WCX | station | usbp_station | 40 | Willcox Station | Willcox AZ
    USBP-EPT | headquarters | usbp_hq | 25 | El Paso Sector | El Paso TX
      USBP-EPT-EPS | station | usbp_station | 100 | El Paso Station | El Paso TX
      USBP-EPT-YST | station | usbp_station | 90 | Ysleta Station | El Paso TX
      USBP-EPT-STN | station | usbp_station | 80 | Santa Teresa Station | Santa Teresa NM
      USBP-EPT-CLT | station | usbp_station | 60 | Clint Station | Clint TX
      USBP-EPT-LDB | station | usbp_station | 50 | Lordsburg Station | Lordsburg NM
      USBP-EPT-DNM | station | usbp_station | 50 | Deming Station | Deming NM
    USBP-BBT | headquarters | usbp_hq | 25 | Big Bend Sector | Alpine TX
      USBP-BBT-ALP | station | usbp_station | 30 | Alpine Station | Alpine TX
      USBP-BBT-PRS | station | usbp_station | 30 | Presidio Station | Presidio TX
      USBP-BBT-SND | station | usbp_station | 20 | Sanderson Station | Sanderson TX
    USBP-DRT | headquarters | usbp_hq | 25 | Del Rio Sector | Del Rio TX
      USBP-DRT-DRS | station | usbp_station | 80 | Del Rio Station | Del Rio TX
      USBP-DRT-EGP | station | usbp_station | 90 | Eagle Pass Station | Eagle Pass TX
      USBP-DRT-UVA | station | usbp_station | 40 | Uvalde Station | Uvalde TX
      USBP-DRT-BRK | station | usbp_station | 40 | Brackettville Station | Brackettville TX
    USBP-LRT | headquarters | usbp_hq | 25 | Laredo Sector | Laredo TX
      USBP-LRT-LRN | station | usbp_station | 100 | Laredo North Station | Laredo TX
      USBP-LRT-LRS | station | usbp_station | 90 | Laredo South Station | Laredo TX
      USBP-LRT-ZAP | station | usbp_station | 40 | Zapata Station | Zapata TX
      USBP-LRT-HEB | station | usbp_station | 30 | Hebbronville Station | Hebbronville TX
      USBP-LRT-COT | station | usbp_station | 30 | Cotulla Station | Cotulla TX
    USBP-RGV | headquarters | usbp_hq | 25 | Rio Grande Valley Sector | Edinburg TX
      USBP-RGV-MCA | station | usbp_station | 140 | McAllen Station | McAllen TX
      USBP-RGV-WSL | station | usbp_station | 110 | Weslaco Station | Weslaco TX
      USBP-RGV-HRL | station | usbp_station | 70 | Harlingen Station | Harlingen TX
      USBP-RGV-BRW | station | usbp_station | 90 | Brownsville Station | Brownsville TX
      USBP-RGV-FTB | station | usbp_station | 60 | Fort Brown Station | Brownsville TX
      USBP-RGV-RGC | station | usbp_station | 80 | Rio Grande City Station | Rio Grande City TX
      USBP-RGV-KVL | station | usbp_station | 30 | Kingsville Station | Kingsville TX
    USBP-BLW | headquarters | usbp_hq | 25 | Blaine Sector | Blaine WA
      USBP-BLW-BLA | station | usbp_station | 40 | Blaine Station | Blaine WA
      USBP-BLW-BEL | station | usbp_station | 30 | Bellingham Station | Ferndale WA
      USBP-BLW-PTA | station | usbp_station | 15 | Port Angeles Station | Port Angeles WA
    USBP-SWB | headquarters | usbp_hq | 25 | Swanton Sector | Swanton VT
      USBP-SWB-CHP | station | usbp_station | 30 | Champlain Station | Champlain NY
      USBP-SWB-BTV | station | usbp_station | 20 | Burlington Station | Colchester VT
    USBP-DTM | headquarters | usbp_hq | 25 | Detroit Sector | Selfridge MI
      USBP-DTM-DTS | station | usbp_station | 30 | Detroit Station | Detroit MI
      USBP-DTM-MAR | station | usbp_station | 20 | Marysville Station | Marysville MI
    USBP-MIP | headquarters | usbp_hq | 25 | Miami Sector | Miramar FL
      USBP-MIP-MIS | station | usbp_station | 30 | Miami Station | Miramar FL
      USBP-MIP-WPB | station | usbp_station | 20 | West Palm Beach Station | Riviera Beach FL
  AMO | directorate | support | 8 | Air and Marine Operations | Washington DC
    AMO-TUC | station | amo_branch | 60 | Tucson Air Branch | Tucson AZ
    AMO-ELP | station | amo_branch | 25 | El Paso Air Unit | El Paso TX
    AMO-SDG | station | amo_branch | 50 | San Diego Air and Marine Branch | San Diego CA
    AMO-MIA | station | amo_branch | 45 | Miami Air and Marine Branch | Homestead FL
    AMO-MCA | station | amo_branch | 40 | McAllen Air and Marine Branch | McAllen TX
    AMO-CAR | station | amo_branch | 35 | Caribbean Air and Marine Branch | Aguadilla PR
    AMO-GLK | station | amo_branch | 25 | Great Lakes Air and Marine Branch | Selfridge MI
    AMO-BLI | station | amo_branch | 20 | Bellingham Air and Marine Branch | Bellingham WA
  OES | directorate | support | 150 | Office of Enterprise Services | Washington DC
"""

# Heads whose title is not their staffing's usual one.
HEADS = {
    AGENCY: _p("Commissioner", "0340", "SES"),
    OPR: _p("Assistant Commissioner, Professional Responsibility", "1811", "SES", le=True),
    INVESTIGATIVE_OPERATIONS: _p("Executive Director, Investigative Operations", "1811", "SES", le=True),
    "OPR-SOD": _p("Executive Director, Security Operations", "0080", "SES"),
    "OFO": _p("Executive Assistant Commissioner, Field Operations", "1895", "SES", le=True),
    "USBP": _p("Chief of the U.S. Border Patrol", "1896", "SES", le=True),
    "AMO": _p("Executive Assistant Commissioner, Air and Marine Operations", "1881", "SES", le=True),
    "OES": _p("Executive Assistant Commissioner, Enterprise Services", "0340", "SES"),
}
INDENT = 2


@dataclass(frozen=True)
class UnitSpec:
    code: str
    kind: str
    staffing: str
    headcount: int  # people at scale 1, before the workforce is scaled to its total
    name: str
    city: str
    state: str
    parent: str | None


def organisation() -> list[UnitSpec]:
    """The units of ORGANISATION, parents before their children."""
    units: list[UnitSpec] = []
    ancestors: list[str] = []
    for line in ORGANISATION.strip("\n").splitlines():
        depth = (len(line) - len(line.lstrip(" "))) // INDENT
        code, kind, staffing, headcount, name, place = (part.strip() for part in line.split("|"))
        city, _, state = place.rpartition(" ")
        del ancestors[depth:]
        units.append(
            UnitSpec(
                code,
                OrgUnitKind(kind),
                staffing,
                int(headcount),
                name,
                city,
                state,
                ancestors[-1] if ancestors else None,
            )
        )
        ancestors.append(code)
    return units


OPR_FIELD_OFFICES = tuple(u.code for u in organisation() if u.staffing == "opr_field")


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedUnit:
    code: str
    name: str
    kind: str
    city: str
    state: str
    parent: str | None


@dataclass
class PlannedAssignment:
    unit: str
    supervisor: str | None
    start: dt.date
    end: dt.date | None = None
    duty_station: str | None = None


@dataclass
class PlannedEmployee:
    number: str
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    date_of_birth: dt.date
    position_title: str
    series: str
    grade: str
    law_enforcement: bool
    status: str
    entry_on_duty_date: dt.date | None
    separation_date: dt.date | None
    assignments: list[PlannedAssignment] = field(default_factory=list)  # oldest first

    def fields(self) -> dict[str, Any]:
        return {
            "employee_number": self.number,
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "last_name": self.last_name,
            "suffix": self.suffix,
            "date_of_birth": self.date_of_birth,
            "position_title": self.position_title,
            "series": self.series,
            "grade": self.grade,
            "law_enforcement": self.law_enforcement,
            "status": self.status,
            "entry_on_duty_date": self.entry_on_duty_date,
            "separation_date": self.separation_date,
        }


@dataclass
class DemoPlan:
    scale: float
    seed: int
    today: dt.date
    units: list[PlannedUnit]
    employees: list[PlannedEmployee]
    recused_employee: str  # employee number linked to the `recused` login

    def digest(self) -> str:
        return digest_of(self.units, self.employees)


def digest_of(units: Sequence[PlannedUnit], employees: Sequence[PlannedEmployee]) -> str:
    """A fingerprint of an org tree and workforce, the same whether planned or read back."""
    payload = {
        "units": sorted((asdict(unit) for unit in units), key=lambda u: str(u["code"])),
        "employees": sorted((asdict(employee) for employee in employees), key=lambda e: e["number"]),
    }
    canonical = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder: deterministic, sums exactly)."""
    whole = sum(weights)
    quotas = [total * weight / whole for weight in weights]
    counts = [math.floor(quota) for quota in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - quotas[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class _Workforce:
    """Draws people: names from seeded Faker instances, everything else from one Random."""

    def __init__(self, seed: int, today: dt.date, size: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311  (synthetic data, reproducible on purpose)
        self.today = today
        self.fakers = []
        for offset, locale in enumerate(("en_US", "es_MX")):
            faker = Faker(locale)
            faker.seed_instance(seed * 10 + offset)
            self.fakers.append(faker)
        # Unique employee numbers in a shuffled order, so numbers do not reveal rank or unit.
        self.numbers = iter(self.rng.sample(range(100000, 100000 + max(size * 3, 1000)), size))

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def _years_ago(self, years: float) -> dt.date:
        return self.today - dt.timedelta(days=round(years * 365.25))

    def person(
        self,
        position: Position,
        *,
        status: str,
        grade: str | None = None,
        age: tuple[int, int] = (23, 58),
        min_service: int = 0,
    ) -> PlannedEmployee:
        rng = self.rng
        faker = self.fakers[0] if rng.random() < 0.72 else self.fakers[1]
        female = rng.random() < 0.32
        first = faker.first_name_female() if female else faker.first_name_male()
        middle = ""
        if " " not in first and rng.random() < 0.6:  # María José needs no middle name
            middle = faker.first_name_female() if female else faker.first_name_male()
            if rng.random() < 0.3:
                middle = middle[0]
        suffix = rng.choice(("Jr.", "Sr.", "II", "III")) if not female and rng.random() < 0.04 else ""
        born = self._years_ago(rng.randint(*age) + rng.random())
        eod: dt.date | None = None
        if status != EmployeeStatus.APPLICANT:
            earliest = max(born + dt.timedelta(days=round(21 * 365.25)), self._years_ago(38))
            latest = self._years_ago(max(min_service, 0.1))
            eod = self.day_between(earliest, max(earliest, latest))
        if grade is None:
            grade = self._grade(position, eod)
        return PlannedEmployee(
            number=f"E{next(self.numbers)}",
            first_name=first,
            middle_name=middle,
            last_name=faker.last_name(),
            suffix=suffix,
            date_of_birth=born,
            position_title=position.title,
            series=position.series,
            grade=grade,
            law_enforcement=position.law_enforcement,
            status=status,
            entry_on_duty_date=eod,
            separation_date=None,
        )

    def _grade(self, position: Position, eod: dt.date | None) -> str:
        # On a career ladder (CBP Officer GS-5 to GS-12) the grade follows the years served.
        ladder = list(dict.fromkeys(position.grades))
        if len(ladder) < 3 or eod is None:
            return self.rng.choice(position.grades)
        years = (self.today - eod).days // 365
        return ladder[min(years, len(ladder) - 1)]


def _status(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.92:
        return EmployeeStatus.ACTIVE
    if draw < 0.96:
        return EmployeeStatus.SEPARATED
    if draw < 0.98:
        return EmployeeStatus.APPLICANT
    return EmployeeStatus.CONTRACTOR


def headcounts(units: Sequence[UnitSpec], scale: float) -> dict[str, int]:
    """People per unit: the workforce scaled to its total, split by the units' weights."""
    target = max(1, round(WORKFORCE_AT_SCALE_1 * scale))
    counts = dict(zip((u.code for u in units), _allocate(target, [u.headcount for u in units]), strict=True))
    # The demo agent's office needs its head and an agent, whatever the scale.
    counts[AGENT_OFFICE] = max(counts[AGENT_OFFICE], 2)
    # A head reports to the head of the unit above, so every unit above a staffed one needs one.
    parents = {u.code: u.parent for u in units}
    for code in [c for c, n in counts.items() if n > 0]:
        parent = parents[code]
        while parent is not None and counts[parent] == 0:
            counts[parent] = 1
            parent = parents[parent]
    return counts


class _Planner:
    def __init__(self, scale: float, seed: int, today: dt.date) -> None:
        self.units = organisation()
        self.counts = headcounts(self.units, scale)
        self.people = _Workforce(seed, today, sum(self.counts.values()))
        self.rng = self.people.rng
        self.today = today
        self.heads: dict[str, str] = {}
        self.employees: list[PlannedEmployee] = []
        self.movers: list[tuple[PlannedEmployee, str]] = []  # (employee, unit they came from)
        self.recused = ""
        self.by_staffing: dict[str, list[str]] = {}
        for unit in self.units:
            self.by_staffing.setdefault(unit.staffing, []).append(unit.code)

    def plan(self) -> list[PlannedEmployee]:
        for unit in self.units:
            if self.counts[unit.code]:
                self._staff(unit, self.counts[unit.code])
        self._transfers()
        return self.employees

    def _hire(self, person: PlannedEmployee, unit: str, supervisor: str | None) -> PlannedAssignment:
        assignment = PlannedAssignment(unit, supervisor, person.entry_on_duty_date or self.today)
        person.assignments.append(assignment)
        self.employees.append(person)
        return assignment

    def _staff(self, unit: UnitSpec, count: int) -> None:
        """A head (reporting to the head above), first-line supervisors, then the staff."""
        staffing = STAFFING[unit.staffing]
        people = self.people
        head = people.person(HEADS.get(unit.code, staffing.head), status=ACTIVE, age=(45, 61), min_service=15)
        self._hire(head, unit.code, self.heads.get(unit.parent) if unit.parent else None)
        self.heads[unit.code] = head.number
        rest = count - 1
        supervisors = []
        for _ in range(math.ceil(rest / 10) if rest >= 8 else 0):
            boss = people.person(staffing.supervisor, status=ACTIVE, age=(32, 58), min_service=6)
            self._hire(boss, unit.code, head.number)
            supervisors.append(boss.number)
        for index in range(rest - len(supervisors)):
            self._staff_member(unit, staffing, index, head.number, supervisors)

    def _staff_member(
        self, unit: UnitSpec, staffing: Staffing, index: int, head: str, supervisors: list[str]
    ) -> None:
        rng, people, today = self.rng, self.people, self.today
        # The first of every unit's staff is an active holder of its main position, so every
        # staffed office has one (the demo's recused agent is the one in the agent's office).
        status = ACTIVE if index == 0 else _status(rng)
        position = staffing.primary if index == 0 else rng.choices(staffing.staff, staffing.weights)[0][1]
        if status == EmployeeStatus.APPLICANT:
            self.employees.append(
                people.person(position, status=status, grade=position.grades[0], age=(21, 37))
            )
            return
        if status == EmployeeStatus.CONTRACTOR:
            contractor = Position(rng.choice(CONTRACTOR_POSITIONS), "", ("",))
            self._hire(people.person(contractor, status=status, grade=""), unit.code, head)
            return
        person = people.person(position, status=status)
        if index == 0 and unit.code == AGENT_OFFICE:
            self.recused = person.number
        assignment = self._hire(person, unit.code, rng.choice(supervisors) if supervisors else head)
        if unit.staffing == "opr_polygraph":  # examiners work from the field offices
            assignment.duty_station = rng.choice(OPR_FIELD_OFFICES)
        if status == EmployeeStatus.SEPARATED:
            last_day = today - dt.timedelta(days=1)
            person.separation_date = people.day_between(min(assignment.start + YEAR, last_day), last_day)
            assignment.end = person.separation_date
        elif assignment.start <= today - 3 * YEAR and rng.random() < 0.18:
            others = [code for code in self.by_staffing[unit.staffing] if code != unit.code]
            if others:
                self.movers.append((person, rng.choice(others)))

    def _transfers(self) -> None:
        """An earlier assignment elsewhere, under that office's head of the time."""
        for person, origin in self.movers:
            current = person.assignments[-1]
            moved_on = self.people.day_between(current.start + YEAR, self.today - dt.timedelta(days=60))
            earlier = PlannedAssignment(
                origin, self.heads.get(origin), current.start, moved_on - dt.timedelta(days=1)
            )
            current.start = moved_on
            person.assignments.insert(0, earlier)


def plan_demo(*, scale: float = 1.0, seed: int = 1, today: dt.date) -> DemoPlan:
    """The demo agency at `scale` (1 = about 6,000 people) as plain data; writes nothing."""
    if not 0 < scale <= MAX_SCALE:
        raise ValueError(f"scale must be above 0 and at most {MAX_SCALE:g}")
    planner = _Planner(scale, seed, today)
    employees = planner.plan()
    units = [PlannedUnit(u.code, u.name, u.kind, u.city, u.state, u.parent) for u in planner.units]
    return DemoPlan(scale, seed, today, units, employees, planner.recused)


# --- loading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    office_scope: str | None
    employee: str | None = None


DEMO_LOGINS = (
    DemoLogin(Role.INTAKE, Role.INTAKE, None),
    DemoLogin(Role.AGENT, Role.AGENT, AGENT_OFFICE),
    DemoLogin(Role.SUPERVISOR, Role.SUPERVISOR, INVESTIGATIVE_OPERATIONS),
    DemoLogin(Role.PROGRAM_MANAGER, Role.PROGRAM_MANAGER, None),
    DemoLogin(Role.ANALYST, Role.ANALYST, None),
    DemoLogin(Role.ADJUDICATOR, Role.ADJUDICATOR, None),
    DemoLogin(Role.POLYGRAPH, Role.POLYGRAPH, None),
    DemoLogin(Role.INSPECTOR, Role.INSPECTOR, None),
    DemoLogin(Role.GIGLIO, Role.GIGLIO, None),
    DemoLogin(Role.LABOR_RELATIONS, Role.LABOR_RELATIONS, None),
    DemoLogin(Role.AUDITOR, Role.AUDITOR, None),
    DemoLogin(Role.ADMINISTRATOR, Role.ADMINISTRATOR, None),
    DemoLogin("recused", Role.AGENT, AGENT_OFFICE, employee="recused"),
)


def demo_password(var_dir: Path | None = None, *, create: bool = True) -> tuple[str, str]:
    """The demo password and where it comes from: the environment, else a file kept in VAR_DIR
    (made with `secrets` on the first run, so every later run and `make run` reuse it).

    With create=False a missing file gives ("", "") rather than a password no account has.
    """
    configured = getattr(settings, "PROBITY_DEMO_PASSWORD", "")
    if configured:
        return configured, "PROBITY_DEMO_PASSWORD"
    path = Path(var_dir or settings.VAR_DIR) / PASSWORD_FILE
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored, str(path)
    if not create:
        return "", ""
    password = secrets.token_urlsafe(15)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password, str(path)


@dataclass
class DemoResult:
    units: int
    employees: int
    assignments: int
    logins: list[User]
    extensions: list[str] = field(default_factory=list)  # one line from each app's part


@dataclass(frozen=True)
class LoadedDemo:
    """What the core demo wrote, for the apps that add to it."""

    plan: DemoPlan
    units: dict[str, OrgUnit]  # by code
    employees: dict[str, int]  # employee number -> pk
    logins: dict[str, User]  # by username


# An extension writes its part inside the demo's transaction and returns one line for the
# operator ("2,500 allegations ..."). It must be deterministic for the plan's seed and date.
DemoExtension = Callable[[LoadedDemo], str]
_extensions: dict[str, DemoExtension] = {}


def register_extension(name: str, extension: DemoExtension) -> DemoExtension:
    """Add an app's part of the demo; they run in the order registered (INSTALLED_APPS order)."""
    _extensions[name] = extension
    return extension


def load_demo(plan: DemoPlan, *, password: str) -> DemoResult:
    """Write the plan in one transaction (into a database without an org tree)."""
    with transaction.atomic():
        units = _load_units(plan.units)
        employees, assignments = _load_workforce(plan, units)
        logins = _load_logins(plan, units, employees, password)
        loaded = LoadedDemo(plan, units, employees, {user.username: user for user in logins})
        lines = [extension(loaded) for extension in list(_extensions.values())]
    return DemoResult(len(units), len(employees), assignments, logins, lines)


def _load_units(planned: Sequence[PlannedUnit]) -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    for unit in planned:
        # Adding a sibling can renumber materialised paths, so the parent is read afresh.
        parent = OrgUnit.objects.get(pk=units[unit.parent].pk) if unit.parent else None
        units[unit.code] = add_org_unit(
            actor=None,
            code=unit.code,
            name=unit.name,
            kind=unit.kind,
            parent=parent,
            city=unit.city,
            state=unit.state,
        )
    return units


def _load_workforce(plan: DemoPlan, units: dict[str, OrgUnit]) -> tuple[dict[str, int], int]:
    Employee.objects.bulk_create([Employee(**person.fields()) for person in plan.employees], batch_size=500)
    numbers = [person.number for person in plan.employees]
    ids: dict[str, int] = {}
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        ids.update(Employee.objects.filter(employee_number__in=chunk).values_list("employee_number", "pk"))
    rows = [
        EmployeeAssignment(
            employee_id=ids[person.number],
            org_unit_id=units[a.unit].pk,
            duty_station_id=units[a.duty_station].pk if a.duty_station else None,
            supervisor_id=ids[a.supervisor] if a.supervisor else None,
            start_date=a.start,
            end_date=a.end,
        )
        for person in plan.employees
        for a in person.assignments
    ]
    EmployeeAssignment.objects.bulk_create(rows, batch_size=500)
    events = []
    for person in plan.employees:
        changes = audit_changes({}, person.fields())
        if person.assignments:
            changes["assignments"] = [
                None,
                [
                    {"org_unit": a.unit, "supervisor": a.supervisor, "start": a.start, "end": a.end}
                    for a in person.assignments
                ],
            ]
        events.append(
            audit.EventSpec(
                action=AuditAction.CREATE,
                object_type=audit.label_of(Employee),
                object_id=str(ids[person.number]),
                object_repr=f"{person.first_name} {person.last_name} ({person.number})",
                changes=changes,
                detail={"source": "seed-demo", "seed": plan.seed, "scale": plan.scale},
                actor_username="seed-demo",
            )
        )
    audit.record_many(events)
    return ids, len(rows)


def _load_logins(plan: DemoPlan, units: dict[str, OrgUnit], ids: dict[str, int], password: str) -> list[User]:
    users = []
    for login in DEMO_LOGINS:
        employee = Employee.objects.get(pk=ids[plan.recused_employee]) if login.employee else None
        role = Role(login.role)
        users.append(
            create_user(
                actor=None,
                username=login.username,
                password=password,
                roles=[login.role],
                first_name=employee.first_name if employee else "Demo",
                last_name=employee.last_name if employee else role.label,
                email=f"{login.username}@probity.invalid",
                office_scope=units[login.office_scope] if login.office_scope else None,
                employee=employee,
                is_staff=login.role == Role.ADMINISTRATOR,
                is_superuser=login.role == Role.ADMINISTRATOR,
                check_password=not getattr(settings, "PROBITY_DEMO_PASSWORD", ""),
            )
        )
    return users


def directory_digest() -> str:
    """The digest of the org tree and workforce in the database, comparable to DemoPlan.digest()."""
    codes = dict(OrgUnit.objects.values_list("pk", "code"))
    by_path = {unit.path: unit for unit in OrgUnit.objects.order_by("path")}
    steplen = OrgUnit.steplen
    units = [
        PlannedUnit(
            u.code, u.name, u.kind, u.city, u.state, by_path[u.path[:-steplen]].code if u.depth > 1 else None
        )
        for u in by_path.values()
    ]
    numbers = dict(Employee.objects.values_list("pk", "employee_number"))
    history: dict[int, list[PlannedAssignment]] = {}
    for a in EmployeeAssignment.objects.order_by("employee_id", "start_date"):
        history.setdefault(a.employee_id, []).append(
            PlannedAssignment(
                codes[a.org_unit_id],
                numbers[a.supervisor_id] if a.supervisor_id else None,
                a.start_date,
                a.end_date,
                codes[a.duty_station_id] if a.duty_station_id else None,
            )
        )
    employees = [
        PlannedEmployee(
            number=e.employee_number,
            first_name=e.first_name,
            middle_name=e.middle_name,
            last_name=e.last_name,
            suffix=e.suffix,
            date_of_birth=e.date_of_birth,
            position_title=e.position_title,
            series=e.series,
            grade=e.grade,
            law_enforcement=e.law_enforcement,
            status=e.status,
            entry_on_duty_date=e.entry_on_duty_date,
            separation_date=e.separation_date,
            assignments=history.get(e.pk, []),
        )
        for e in Employee.objects.all()
    ]
    return digest_of(units, employees)
