"""The bare baseline of the load benchmark: a minimal Flask app, served like the real one, that
reads one person row by primary key through SQLAlchemy and decrypts its eight AES-GCM fields.

It is the floor every real endpoint is compared with: the same web server, database, driver and
cryptography, none of the service's routing, scoping, auditing or serialisation.
"""

from __future__ import annotations

import os
import uuid

from flask import Flask, jsonify
from sqlalchemy import create_engine, text

from casework.crypto.fields import decrypt_value
from casework.crypto.keyring import parse_root_key

FIELDS = (
    "full_name",
    "aliases",
    "date_of_birth",
    "national_id",
    "phone",
    "address",
    "family_contacts",
    "health_notes",
)

app = Flask(__name__)
engine = create_engine(
    os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"), pool_pre_ping=True
)
keyring = parse_root_key(os.environ["CASEWORK_ROOT_KEY"])
COLUMNS = ", ".join(f"{f}_ct" for f in FIELDS)


@app.get("/person/<uuid:person_id>")
def person(person_id: uuid.UUID):  # noqa: ANN201
    with engine.connect() as connection:
        row = connection.execute(
            text(f"SELECT id, {COLUMNS} FROM person WHERE id = :id"), {"id": person_id}
        ).one()
    return jsonify(
        {
            f: decrypt_value(keyring, bytes(row[i + 1]), "person", f, row[0])
            for i, f in enumerate(FIELDS)
        }
    )
