"""SQLAlchemy 2 models of the unified customer record ("vue unique du client").

One module per area; importing this package registers every table on :data:`Base.metadata`,
which is what Alembic compares against.
"""
from console.models.base import Base
from console.models.customers import Address, Contact, Customer, Phone
from console.models.catalog import Product, ProductFamily, ProductRange
from console.models.orders import Holding, Order, OrderLine
from console.models.relationship import Alert, Callback, Complaint, Consent, Interaction
from console.models.audit import ArticleRevision, AuditEntry
from console.models.users import CallDraft, User
from console.models.scores import CustomerScore, OfferLog, RecommenderModel, ScoreRun

__all__ = [
    "Base", "Customer", "Contact", "Phone", "Address", "ProductFamily", "ProductRange", "Product",
    "Order", "OrderLine", "Holding", "Interaction", "Complaint", "Consent", "Callback", "Alert",
    "AuditEntry", "User", "CallDraft", "CustomerScore", "ScoreRun", "OfferLog",
    "RecommenderModel", "ArticleRevision",
]
