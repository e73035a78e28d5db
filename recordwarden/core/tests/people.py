"""People shared by the review, disclosure and transparency tests: the subjects named in
their requests and the workers the records importer loads for them."""

import datetime as dt

KELLER = {
    "first_name": "Thomas",
    "middle_name": "A",
    "last_name": "Keller",
    "dob": dt.date(1979, 7, 2),
}
ORTEGA = {
    "first_name": "Daniel",
    "middle_name": "R",
    "last_name": "Ortega",
    "dob": dt.date(1988, 3, 14),
    "ssn_last4": "4417",
}
GARCIA = {
    "first_name": "Rosa",
    "middle_name": "M",
    "last_name": "Garcia",
    "dob": dt.date(1990, 11, 23),
    "ssn_last4": "7781",
}
WORKER_ROWS = [
    # worker_id, ssn, first, middle, last, suffix, dob, street, city, state, zip, county
    (
        "W-100001",
        "525-44-1234",
        "Thomas",
        "A",
        "Keller",
        "",
        "1979-07-02",
        "12 Elm St NE",
        "Albuquerque",
        "NM",
        "87102",
        "Bernalillo",
    ),
    (
        "W-100002",
        "585-22-4417",
        "Daniel",
        "R",
        "Ortega",
        "",
        "1988-03-14",
        "1820 Calle Bonita SW",
        "Albuquerque",
        "NM",
        "87105",
        "Bernalillo",
    ),
    (
        "W-100003",
        "648-31-7781",
        "Rosa",
        "M",
        "Garcia",
        "",
        "1990-11-23",
        "409 Avenida de Mesilla",
        "Las Cruces",
        "NM",
        "88005",
        "Dona Ana",
    ),
]
