"""A small staff directory for tests: two entities, a manager chain, HR, logistics and an admin."""

from __future__ import annotations

from tests.fakes.teams import TeamsUser

HEADER = "aad_object_id,email,display_name,entity_code,entity_name,manager_email,start_date,roles,language"
ROWS = [
    "aaaaaaaa-0000-0000-0000-000000000001,director@vlaanderen.be,Dirk Directeur,DWSE,Departement Werk en Sociale Economie,,2005-01-01,staff;manager,nl",
    "aaaaaaaa-0000-0000-0000-000000000002,manager@vlaanderen.be,Mia Manager,DWSE,Departement Werk en Sociale Economie,director@vlaanderen.be,2010-01-01,staff;manager,nl",
    "aaaaaaaa-0000-0000-0000-000000000003,staff@vlaanderen.be,Stan Staff,DWSE,Departement Werk en Sociale Economie,manager@vlaanderen.be,2020-05-01,staff,nl",
    "aaaaaaaa-0000-0000-0000-000000000004,colleague@vlaanderen.be,Cato Collega,DWSE,Departement Werk en Sociale Economie,manager@vlaanderen.be,2026-06-14,staff,en",
    "aaaaaaaa-0000-0000-0000-000000000005,hr@vlaanderen.be,Hilde HR,DWSE,Departement Werk en Sociale Economie,director@vlaanderen.be,2012-01-01,staff;hr;coach,nl",
    "aaaaaaaa-0000-0000-0000-000000000006,admin@vlaanderen.be,Ada Admin,DWSE,Departement Werk en Sociale Economie,director@vlaanderen.be,2012-01-01,staff;admin,nl",
    "aaaaaaaa-0000-0000-0000-000000000007,logistics@vlaanderen.be,Lode Logistiek,DWSE,Departement Werk en Sociale Economie,director@vlaanderen.be,2012-01-01,staff;logistics,nl",
    "aaaaaaaa-0000-0000-0000-000000000008,othermanager@vlaanderen.be,Olaf Other,DV,Agentschap Digitaal Vlaanderen,,2011-01-01,staff;manager,nl",
    "aaaaaaaa-0000-0000-0000-000000000009,otherstaff@vlaanderen.be,Olga Other,DV,Agentschap Digitaal Vlaanderen,othermanager@vlaanderen.be,2015-01-01,staff,nl",
]
CSV = "\n".join([HEADER, *ROWS]) + "\n"

DIRECTOR = TeamsUser("aaaaaaaa-0000-0000-0000-000000000001", "Dirk Directeur")
MANAGER = TeamsUser("aaaaaaaa-0000-0000-0000-000000000002", "Mia Manager")
STAFF = TeamsUser("aaaaaaaa-0000-0000-0000-000000000003", "Stan Staff")
COLLEAGUE = TeamsUser("aaaaaaaa-0000-0000-0000-000000000004", "Cato Collega", locale="en-GB")
HR = TeamsUser("aaaaaaaa-0000-0000-0000-000000000005", "Hilde HR")
ADMIN = TeamsUser("aaaaaaaa-0000-0000-0000-000000000006", "Ada Admin")
LOGISTICS = TeamsUser("aaaaaaaa-0000-0000-0000-000000000007", "Lode Logistiek")
OTHER_MANAGER = TeamsUser("aaaaaaaa-0000-0000-0000-000000000008", "Olaf Other")
OTHER_STAFF = TeamsUser("aaaaaaaa-0000-0000-0000-000000000009", "Olga Other")
UNKNOWN = TeamsUser("ffffffff-0000-0000-0000-000000000000", "Onbekende Persoon")
FOREIGN = TeamsUser("aaaaaaaa-0000-0000-0000-000000000003", "Stan Staff", tenant_id="99999999-9999-9999-9999-999999999999")
