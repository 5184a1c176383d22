"""The store's tables. Alembic migrations (store/migrations) create them; this is their one definition."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from smartborder.schema import FIELDS, Kind, Level

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_COLUMN_TYPES = {Kind.DATE: Date, Kind.NUMBER: Float, Kind.BOOLEAN: Boolean, Kind.TEXT: Text}


def _serial() -> BigInteger:
    """An auto-numbered key: BIGINT on PostgreSQL, SQLite's INTEGER PRIMARY KEY (rowid) on SQLite."""
    return BigInteger().with_variant(Integer, "sqlite")


def _record_columns(level: Level) -> list[Column]:
    return [Column(f.name, _COLUMN_TYPES.get(f.kind, String(64)), nullable=not f.required) for f in FIELDS if f.level is level and f.name not in ("submitter", "reference")]


# Blocks of ids handed out atomically, so that a batch can number its rows before inserting them.
id_blocks = Table(
    "id_blocks",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("next_id", BigInteger, nullable=False),
)

intake_runs = Table(
    "intake_runs",
    metadata,
    Column("id", _serial(), primary_key=True),
    Column("source", Text, nullable=False),
    Column("format", String(16), nullable=False),
    Column("submitter", String(200)),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("accepted", Integer, nullable=False, default=0),
    Column("amended", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("rejected_rows", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False, server_default="running"),  # running, finished, failed
    Column("error", Text),  # why a failed run failed
    Column("rows_in_file", Integer, nullable=False, default=0),  # = rows_accepted + rows_amended + rows_unchanged + rejected_rows
    Column("rows_accepted", Integer, nullable=False, default=0),
    Column("rows_amended", Integer, nullable=False, default=0),
    Column("rows_unchanged", Integer, nullable=False, default=0),
)

consignments = Table(
    "consignments",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("submitter", String(200), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("content_hash", String(32), nullable=False),
    Column("intake_run_id", BigInteger, ForeignKey("intake_runs.id"), nullable=False),
    Column("source_row", BigInteger, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    *_record_columns(Level.CONSIGNMENT),
    Column("extra", Text),
    Column("quality_score", Float, nullable=False),
    Column("rfi", Boolean, nullable=False),
    UniqueConstraint("submitter", "reference", "version"),
    Index("ix_consignments_destination_country", "destination_country"),
)

goods_items = Table(
    "goods_items",
    metadata,
    Column("consignment_id", BigInteger, ForeignKey("consignments.id"), primary_key=True),
    Column("item_no", Integer, primary_key=True),
    *_record_columns(Level.ITEM),
)

quality_findings = Table(
    "quality_findings",
    metadata,
    Column("id", _serial(), primary_key=True),
    Column("consignment_id", BigInteger, ForeignKey("consignments.id"), nullable=False, index=True),
    Column("item_no", Integer),
    Column("code", String(64), nullable=False),
    Column("field", String(64)),
    Column("severity", Float, nullable=False),
    Column("message", Text, nullable=False),
)

rfis = Table(
    "rfis",
    metadata,
    Column("id", _serial(), primary_key=True),
    Column("consignment_id", BigInteger, ForeignKey("consignments.id"), nullable=False, index=True),
    Column("submitter", String(200), nullable=False, index=True),
    Column("status", String(16), nullable=False),  # open, answered, closed
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("request", Text, nullable=False),
    Column("answer", Text),
    Column("answered_at", DateTime(timezone=True)),
    Column("answered_by", String(100)),
)

outcomes = Table(
    "outcomes",
    metadata,
    Column("id", _serial(), primary_key=True),
    Column("consignment_id", BigInteger, ForeignKey("consignments.id"), nullable=False, index=True),
    Column("inspected_at", Date),
    Column("officer", String(200)),
    Column("control_type", String(32)),
    Column("result", String(32), nullable=False),
    Column("finding_kind", String(32)),
    Column("extra_duty", Float),
    Column("quantity_seized", Float),
    Column("source", String(200), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", _serial(), primary_key=True),
    Column("consignment_id", BigInteger, ForeignKey("consignments.id"), nullable=False, index=True),
    Column("assessed_at", DateTime(timezone=True), nullable=False),
    Column("risk_score", Float, nullable=False),
    Column("lane", String(16), nullable=False),
    Column("proposed_lane", String(16)),
    Column("selected_by", String(32)),
    Column("profiles", Text),  # ids of the profiles that hit, separated by spaces
    Column("reasons", Text, nullable=False),
    Column("rfi", Text),
)

models = Table(
    "models",
    metadata,
    Column("id", _serial(), primary_key=True),
    Column("organisation_id", BigInteger, ForeignKey("organisations.id")),  # whose register; null: the command line's own
    Column("version", String(100), nullable=False),
    Column("path", Text, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("window_from", Date),
    Column("window_to", Date),
    Column("metrics", Text),  # JSON
    Column("status", String(16), nullable=False),  # champion (in use), challenger (being compared), retired
    UniqueConstraint("organisation_id", "version"),
)

rejections = Table(
    "rejections",
    metadata,
    Column("id", _serial(), primary_key=True),
    Column("intake_run_id", BigInteger, ForeignKey("intake_runs.id"), nullable=False, index=True),
    Column("row", BigInteger, nullable=False),
    Column("reference", String(200)),
    Column("field", String(64)),
    Column("code", String(64), nullable=False),
    Column("message", Text, nullable=False),
)

# Who uses the service: organisations (customs administrations, submitter companies), their
# users, API tokens, and the audit log of changes.
organisations = Table(
    "organisations",
    metadata,
    Column("id", _serial(), primary_key=True),
    Column("code", String(64), nullable=False, unique=True),  # short, stable: customs-de, bazaro
    Column("name", String(200), nullable=False, unique=True),  # for a submitter: its name on the consignments it sends
    Column("kind", String(16), nullable=False),  # administration, submitter
    Column("countries", String(200)),  # an administration's countries of destination (ISO codes, separated by spaces)
    Column("created_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", _serial(), primary_key=True),
    Column("organisation_id", BigInteger, ForeignKey("organisations.id"), nullable=False, index=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(16), nullable=False),  # submitter, officer, analyst, admin
    Column("password_hash", Text),  # argon2id; null for an account used through API tokens only
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("failed_sign_ins", Integer, nullable=False, server_default="0"),  # wrong passwords since the last good sign-in
    Column("locked_until", DateTime(timezone=True)),  # no sign-in before then, even with the right password
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", _serial(), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(16), nullable=False),  # api (made by a user), session (a signed-in browser)
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token; the token itself is never stored
    Column("prefix", String(16), nullable=False),  # the token's first characters, to tell tokens apart
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", _serial(), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_id", BigInteger, ForeignKey("users.id")),
    Column("username", String(100), nullable=False),
    Column("organisation_id", BigInteger, ForeignKey("organisations.id"), index=True),
    Column("action", String(64), nullable=False),  # profile.create, watchlist.upload, model.promote, outcome.record, ...
    Column("target", String(200), nullable=False),
    Column("detail", Text),
    Column("previous_hash", String(64)),  # the hash of the organisation's entry before this one (null for its first)
    Column("hash", String(64)),  # SHA-256 of this entry's content and previous_hash: the chain `smartborder audit verify` walks
)

# The newest entry of each organisation's audit chain: appends lock this row, so the chain never forks.
audit_heads = Table(
    "audit_heads",
    metadata,
    Column("organisation_id", BigInteger, ForeignKey("organisations.id"), primary_key=True, autoincrement=False),
    Column("last_id", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)
