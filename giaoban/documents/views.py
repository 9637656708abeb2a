"""The register's pages: an organization's register, a document with its edit and issue forms,
a new draft, replacing an issued document, the .docx and PDF downloads, and making the PDF again
once its task gave up."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from giaoban.core.errors import ApplicationError, ConcurrentEdit, PermissionDenied
from giaoban.core.files import protected_file_response
from giaoban.core.forms import add_errors
from giaoban.documents import selectors, services
from giaoban.documents.access import may_write
from giaoban.documents.api import PDF, docx_response, download_name, pdf_ready
from giaoban.documents.forms import ContentForm, IssueForm
from giaoban.documents.models import KIND_TITLES, DocumentKind
from giaoban.documents.paper import Block, Paper
from giaoban.orgs.access import membership_of
from giaoban.orgs.models import Person
from giaoban.orgs.selectors import organization_get, organizations_for_positions

PAGE_SIZE = 100


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) <= 4 else None


def my_register(request):
    """The user's own organization's register; for a superuser, who keeps every register, and a
    user of no organization, the registers that hold documents they may see."""
    membership = membership_of(request.user)
    if membership is not None and not request.user.is_superuser:
        return redirect("documents:register", pk=membership.organization_id)
    registers = selectors.registers_visible(user=request.user)
    return render(request, "documents/registers.html", {"registers": registers})


@require_GET
def register(request, pk: int):
    organization = organization_get(user=request.user, pk=pk)
    year = _int(request.GET.get("year"))
    series = request.GET.get("series") or None
    kind = request.GET.get("kind") if request.GET.get("kind") in DocumentKind.values else None
    rows = selectors.register(
        user=request.user, organization=organization, year=year, kind=kind, series=series
    )
    context = {
        "organization": organization,
        "style": selectors.style_of(organization),
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "years": selectors.register_years(organization),
        "series_list": selectors.register_series(organization),
        "kinds": DocumentKind.choices,
        "year": year,
        "series": series,
        "kind": kind,
        "can_write": may_write(request.user, organization),
    }
    return render(request, "documents/register.html", context)


def _signers(organization):
    ids = selectors.signers_on(organization=organization, on=timezone.localdate()).values("person")
    return Person.objects.filter(pk__in=ids).prefetch_related("positions__organization")


def _issue_form(request, doc, data=None):
    initial = {
        "revision": doc.revision,
        "recipient_lines": "\n".join(doc.recipient_lines),
        "recipients": list(doc.recipients.values_list("pk", flat=True)),
    }
    organizations = organizations_for_positions(user=request.user).order_by(
        "unit__level", "unit__code", "name"
    )
    return IssueForm(
        data,
        initial=initial,
        signers=_signers(doc.organization),
        organizations=organizations,
        prefix="issue",
    )


def _detail(request, doc, *, content_form=None, issue_form=None, status=200):
    writable = may_write(request.user, doc.organization) and not doc.is_issued
    context = {
        "doc": doc,
        "replaced_by": doc.__class__.objects.filter(replaces=doc).first(),
        "can_write": may_write(request.user, doc.organization),
        "content_form": content_form
        or (ContentForm(initial=ContentForm.initial_of(doc)) if writable else None),
        "issue_form": issue_form or (_issue_form(request, doc) if writable else None),
        "recipients": doc.recipients.all(),
    }
    return render(request, "documents/document_detail.html", context, status=status)


def document_detail(request, pk: int):
    return _detail(request, selectors.document_get(user=request.user, pk=pk))


@require_POST
def document_edit(request, pk: int):
    doc = selectors.document_get(user=request.user, pk=pk)
    services.require_writer(request.user, doc.organization)  # before reading the input
    form = ContentForm(request.POST)
    if form.is_valid():
        try:
            services.edit(
                user=request.user,
                doc=doc,
                revision=form.cleaned_data["revision"],
                **form.content(),
            )
        except PermissionDenied:
            raise
        except ConcurrentEdit as exc:
            form.add_error(None, exc.message)  # the input stays on the page
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("documents:document_detail", pk=doc.pk)
    return _detail(request, doc, content_form=form, status=400)


@require_POST
def document_issue(request, pk: int):
    doc = selectors.document_get(user=request.user, pk=pk)
    services.require_writer(request.user, doc.organization)  # before reading the input
    form = _issue_form(request, doc, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            doc = services.issue(
                user=request.user,
                doc=doc,
                signer=data["signer"],
                recipients=list(data["recipients"]),
                recipient_lines=[
                    line.strip() for line in data["recipient_lines"].splitlines() if line.strip()
                ],
                revision=data["revision"],
            )
        except PermissionDenied:
            raise
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("Issued as number %(number)s.") % {"number": doc.number_text()}
            )
            return redirect("documents:document_detail", pk=doc.pk)
    return _detail(request, doc, issue_form=form, status=400)


@require_POST
def document_replace(request, pk: int):
    doc = selectors.document_get(user=request.user, pk=pk)
    try:
        new = services.replace(user=request.user, doc=doc)
    except PermissionDenied:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("documents:document_detail", pk=doc.pk)
    messages.success(request, _("A draft that replaces it was made: edit it, then issue it."))
    return redirect("documents:document_detail", pk=new.pk)


@require_POST
def document_pdf_again(request, pk: int):
    """The page's "Make the PDF again", once the PDF task gave up."""
    doc = selectors.document_get(user=request.user, pk=pk)
    try:
        services.pdf_again(user=request.user, doc=doc)
    except PermissionDenied:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The signed PDF will be made again in a moment."))
    return redirect("documents:document_detail", pk=doc.pk)


def document_new(request, pk: int):
    """A draft written by hand for the organization `pk`."""
    organization = organization_get(user=request.user, pk=pk)
    if not may_write(request.user, organization):
        raise PermissionDenied(_("You may not write this organization's documents."))
    form = ContentForm(request.POST or None, initial={"kind": DocumentKind.CV})
    if request.method == "POST" and form.is_valid():
        content = form.content()

        def blocks(items):
            return tuple(Block(b["kind"], b["text"], tuple(map(tuple, b["rows"]))) for b in items)

        paper = Paper(
            issuer=selectors.issuer_for(organization),
            kind=content["kind"],
            title=content["title"] or KIND_TITLES.get(content["kind"], ""),
            summary=content["summary"],
            body=blocks(content["body"]),
            appendix=blocks(content["appendix"]),
            appendix_title=content["appendix_title"],
            recipients=tuple(content["recipient_lines"]),
        )
        try:
            doc = services.draft(user=request.user, organization=organization, paper=paper)
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            return redirect("documents:document_detail", pk=doc.pk)
    status = 400 if request.method == "POST" else 200
    context = {"organization": organization, "form": form}
    return render(request, "documents/document_new.html", context, status=status)


@require_GET
def document_docx(request, pk: int):
    return docx_response(selectors.document_get(user=request.user, pk=pk))


@require_GET
def document_pdf(request, pk: int):
    doc = selectors.document_get(user=request.user, pk=pk)
    try:
        pdf_ready(doc)
    except ApplicationError as exc:
        messages.info(request, exc.message)
        return redirect("documents:document_detail", pk=doc.pk)
    return protected_file_response(
        doc.pdf, content_type=PDF, name=download_name(doc, "pdf"), missing=_("The PDF is missing.")
    )
