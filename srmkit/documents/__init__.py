"""Customer documents: the registry, shared building blocks, and each document's sections."""

from srmkit.documents.registry import DOCUMENTS, DocumentSpec, get_document

__all__ = ["DOCUMENTS", "DocumentSpec", "get_document"]
