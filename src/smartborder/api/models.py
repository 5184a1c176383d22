"""Request and response models of the API. Requests are strict: unknown fields, values of the
wrong type, values out of range, numbers that are not finite and text that cannot be stored are
refused with a 422 naming the field. The consignment models are made from the one definition of
the record (smartborder.schema)."""

from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from smartborder.api.limits import TooLarge
from smartborder.intake.validate import CONTROL_TYPES, FINDING_KINDS, OUTCOME_RESULTS
from smartborder.risk.lanes import LANES, RFI
from smartborder.risk.lists import ListSpec
from smartborder.risk.screening import DEFAULT_THRESHOLD
from smartborder.schema import FIELDS, Kind, Level
from smartborder.service.accounts import ORGANISATION_KINDS, ROLES
from smartborder.service.records import SUBMITTER_STATUSES

T = TypeVar("T")
Text = Annotated[StrictStr, Field(min_length=1, max_length=500)]
Number = StrictFloat | StrictInt
# A moment in UTC: SQLite gives date-times back without their zone, PostgreSQL with it.
Moment = Annotated[datetime, AfterValidator(lambda moment: moment if moment.tzinfo else moment.replace(tzinfo=UTC))]


class Problem(BaseModel):
    detail: Any = Field(description="What is wrong: a message, or a list of them naming the field")


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of error answers."""
    meaning = {401: "Not signed in: no valid token", 403: "Your role may not do this", 404: "No such thing, or not yours to see",
               409: "In conflict with what exists", 413: "Too large: the message says the limit; split the request",
               422: "Invalid request: the message names the field", 429: "Too many failed sign-ins: try again after Retry-After seconds"}  # fmt: skip
    return {status: {"model": Problem, "description": meaning[status]} for status in statuses}


class Strict(BaseModel):
    """A request. Numbers must be finite (no NaN or Infinity) and every string, also in a list,
    whole characters: a lone surrogate (JSON "\\ud800") can be neither stored nor answered. Nor
    may a string hold a NUL, which PostgreSQL cannot store; consignment records leave that to
    intake, which rejects the record naming the field and keeps the others (`Record`)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    refuse_nul: ClassVar[bool] = True

    @field_validator("*")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        for text in value if isinstance(value, list) else (value,):
            if isinstance(text, str):
                _check_storable(text, cls.refuse_nul)
        return value


def _check_storable(text: str, refuse_nul: bool) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:
            surrogate = f"\\u{ord(text[e.start]):04x}"
            raise PydanticCustomError("lone_surrogate", f"Text should be whole characters: a lone surrogate ({surrogate}) is not one") from None
    if refuse_nul and "\x00" in text:
        raise PydanticCustomError("nul_character", "Text should not hold a NUL character (U+0000)")


class Record(Strict):
    """A consignment or goods item: a NUL is for intake to reject, with the record's row."""

    refuse_nul: ClassVar[bool] = False


def _annotation(kind: Kind, choices: tuple[str, ...], maximum: float | None):
    match kind:
        case Kind.COUNTRY:
            return Annotated[StrictStr, Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")]
        case Kind.COUNTRIES:
            return Annotated[list[Annotated[StrictStr, Field(pattern=r"^[A-Za-z]{2}$")]], Field(max_length=20)]
        case Kind.CURRENCY:
            return Annotated[StrictStr, Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217")]
        case Kind.HS_CODE:
            return Annotated[StrictStr, Field(pattern=r"^[0-9][0-9. ]{5,12}$", description="6 to 10 digits")]
        case Kind.DATE:
            return date
        case Kind.NUMBER:
            return Annotated[Number, Field(ge=0, le=maximum or 1e15)]
        case Kind.BOOLEAN:
            return StrictBool
        case Kind.CHOICE:
            return Literal[choices]  # type: ignore[valid-type]
        case Kind.CODE:
            return Annotated[StrictStr, Field(min_length=1, max_length=64)]
    return Text


def _fields(level: Level, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    made = {}
    for f in FIELDS:
        if f.level is level and f.name not in skip:
            annotation = _annotation(f.kind, f.choices, f.maximum)
            made[f.name] = (annotation, Field(description=f.doc or None)) if f.required else (annotation | None, Field(default=None, description=f.doc or None))
    return made


GoodsItemIn = create_model("GoodsItemIn", __base__=Record, **_fields(Level.ITEM))
MAX_ITEMS = 999  # goods items in one consignment
MAX_SUBMISSION_ITEMS = 10_000  # goods items in one submission, all its consignments together
_items = (Annotated[list[GoodsItemIn], Field(min_length=1, max_length=MAX_ITEMS)], ...)  # type: ignore[valid-type]
ConsignmentIn = create_model("ConsignmentIn", __base__=Record, items=_items, **_fields(Level.CONSIGNMENT, skip=("submitter",)))
AssessIn = create_model("AssessIn", __base__=Record, items=_items, **_fields(Level.CONSIGNMENT))


class SubmissionIn(Strict):
    consignments: Annotated[list[ConsignmentIn], Field(min_length=1, max_length=1000, description=(  # type: ignore[valid-type]
        f"Up to 1,000 consignments of up to {MAX_ITEMS} goods items each, and up to {MAX_SUBMISSION_ITEMS:,} goods items in all"))]

    @model_validator(mode="before")
    @classmethod
    def _not_too_many_items(cls, body: Any) -> Any:
        """Too many goods items is a 413, counted on the decoded JSON before any item is validated."""
        consignments = body.get("consignments") if isinstance(body, dict) else None
        if isinstance(consignments, list):
            count = sum(len(c["items"]) for c in consignments if isinstance(c, dict) and isinstance(c.get("items"), list))
            if count > MAX_SUBMISSION_ITEMS:
                raise TooLarge(f"consignments.items: a submission holds at most {MAX_SUBMISSION_ITEMS:,} goods items in all, and this one "
                               f"holds {count:,}: split the submission into smaller ones")  # fmt: skip
        return body


class RejectionOut(BaseModel):
    field: str | None
    code: str
    message: str


class ReceiptOut(BaseModel):
    row: int
    reference: str | None
    result: Literal["accepted", "amended", "unchanged", "rejected"]
    status: Literal[SUBMITTER_STATUSES] | None  # type: ignore[valid-type]
    errors: list[RejectionOut]


class SubmissionOut(BaseModel):
    accepted: int
    amended: int
    unchanged: int
    rejected: int
    consignments: list[ReceiptOut]


class StatusOut(BaseModel):
    reference: str
    version: int
    received_at: Moment
    status: Literal[SUBMITTER_STATUSES]  # type: ignore[valid-type]
    open_rfis: int


class RfiOut(BaseModel):
    id: int
    reference: str
    status: str
    created_at: Moment
    request: str
    answer: str | None
    answered_at: Moment | None


class AnswerIn(Strict):
    answer: Annotated[StrictStr, Field(min_length=1, max_length=4000)]


class AssessmentOut(BaseModel):
    reference: str
    lane: Literal[(*LANES, RFI)]  # type: ignore[valid-type]
    meaning: str
    risk_score: float
    reasons: list[str]
    rfi: str | None
    profiles: list[str]


class QueueItem(BaseModel):
    id: int
    submitter: str
    reference: str
    office: str | None
    declared_date: date
    destination_country: str
    transport_mode: str | None
    consignor_name: str | None
    consignee_name: str | None
    lane: str
    risk_score: float
    profiles: str | None
    quality_score: float


class Page(BaseModel, Generic[T]):
    total: int
    page: int
    per_page: int
    items: list[T]


class AssessmentRecord(BaseModel):
    assessed_at: Moment
    risk_score: float
    lane: str
    proposed_lane: str | None
    selected_by: str | None
    profiles: list[str]
    reasons: list[str]
    rfi: str | None


class OutcomeRecord(BaseModel):
    id: int
    inspected_at: date | None
    officer: str | None
    control_type: str | None
    result: str
    finding_kind: str | None
    extra_duty: float | None
    quantity_seized: float | None
    source: str
    recorded_at: Moment


class ConsignmentOut(BaseModel):
    id: int
    submitter: str
    reference: str
    version: int
    received_at: Moment
    record: dict[str, Any]
    items: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    rfis: list[dict[str, Any]]
    assessments: list[AssessmentRecord]
    outcomes: list[OutcomeRecord]


class OutcomeIn(Strict):
    result: Literal[OUTCOME_RESULTS]  # type: ignore[valid-type]
    control_type: Literal[CONTROL_TYPES]  # type: ignore[valid-type]
    finding_kind: Literal[FINDING_KINDS] | None = None  # type: ignore[valid-type]
    extra_duty: Annotated[Number, Field(ge=0, le=1e12)] | None = None
    quantity_seized: Annotated[Number, Field(ge=0, le=1e9)] | None = None
    inspected_at: Annotated[date, Field(ge=date(2000, 1, 1))] | None = None
    note: Annotated[StrictStr, Field(max_length=500)] | None = None

    @field_validator("finding_kind")
    @classmethod
    def _found_something(cls, kind: str | None, info: ValidationInfo) -> str | None:
        if kind is not None and info.data.get("result") == "no_finding":
            raise ValueError("an inspection that found nothing has no kind of finding")
        return kind


class ProfileOut(BaseModel):
    id: str
    title: str
    owner: str
    status: Literal["active", "retired"]
    lane: str | None
    weight: float
    expected_selection_rate: float | None
    hits: int
    inspected: int
    found: int
    hit_rate: float | None
    problem: str | None = None  # why it failed in assessment, when it did


class ProfileTextIn(Strict):
    yaml: Annotated[StrictStr, Field(min_length=1, max_length=100_000)]


class ProfileTextOut(BaseModel):
    id: str
    status: str
    yaml: str


class WatchlistOut(BaseModel):
    name: str
    kind: str
    file: str
    source: str
    date: date
    whitelist: str | None
    lane: str | None
    weight: float
    threshold: float
    entries: int
    whitelisted: int


class WatchlistIn(Strict):
    kind: Literal["party", "commodity", "country", "brand"]
    source: Annotated[StrictStr, Field(min_length=1, max_length=1000)]
    date: date
    content: Annotated[StrictStr, Field(min_length=1, max_length=20_000_000, description="The list as CSV, with its header")]
    lane: Literal[LANES] | None = None  # type: ignore[valid-type]
    weight: Annotated[Number, Field(ge=0, le=1)] = 0.0
    threshold: Annotated[Number, Field(ge=0, le=1)] | None = None

    def spec(self, name: str) -> ListSpec:
        """The list's entry in its workspace's watchlists.yaml (its file: `<name>.csv`)."""
        return ListSpec(name=name, kind=self.kind, file=f"{name}.csv", source=self.source, date=self.date, lane=self.lane, weight=self.weight,
                        threshold=self.threshold if self.threshold is not None else DEFAULT_THRESHOLD)  # fmt: skip


class WhitelistIn(Strict):
    entry_id: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    name: Annotated[StrictStr, Field(min_length=1, max_length=500)]
    note: Annotated[StrictStr, Field(max_length=1000)] = ""


class ModelOut(BaseModel):
    version: str
    status: str
    registered_at: Moment
    window_from: date | None
    window_to: date | None
    metrics: dict[str, Any]


class QualityOut(BaseModel):
    submitter: str
    consignments: int
    clean_share: float
    mean_score: float
    open_rfis: int
    top_findings: str


class OrganisationIn(Strict):
    code: Annotated[StrictStr, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")]
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    kind: Literal[ORGANISATION_KINDS]  # type: ignore[valid-type]
    countries: Annotated[list[Annotated[StrictStr, Field(pattern=r"^[A-Z]{2}$")]], Field(max_length=60)] = []


class OrganisationOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    countries: list[str]


class UserIn(Strict):
    organisation: Annotated[StrictStr, Field(min_length=1, max_length=64, description="The organisation's code")]
    username: Annotated[StrictStr, Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,99}$")]
    display_name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    role: Literal[ROLES]  # type: ignore[valid-type]
    password: Annotated[StrictStr, Field(min_length=10, max_length=200)] | None = None


class UserPatch(Strict):
    active: StrictBool | None = None
    role: Literal[ROLES] | None = None  # type: ignore[valid-type]
    password: Annotated[StrictStr, Field(min_length=10, max_length=200)] | None = None


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    organisation: str


class TokenIn(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    user_id: StrictInt | None = Field(default=None, ge=1, le=2**62, description="Admins and operators only: a token for another user")


class TokenOut(BaseModel):
    id: int
    name: str
    kind: str
    prefix: str
    username: str
    created_at: Moment
    expires_at: Moment | None
    revoked_at: Moment | None


class NewTokenOut(BaseModel):
    id: int
    token: str = Field(description="Shown once: only its hash is stored")


class SignInIn(Strict):
    username: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    password: Annotated[StrictStr, Field(min_length=1, max_length=200)]


class AuditOut(BaseModel):
    id: int
    at: Moment
    username: str
    action: str
    target: str
    detail: str | None
