"""Seoul OpenAPI paths (STANDARDS.md §5): /{KEY}/{TYPE}/{SERVICE}/{START}/{END}/[filters…].

Every coded result is HTTP 200 with the code in the body; errors come without the service
wrapper. The key is in the path: it is never logged or stored (usage is counted per key id
and per dataset)."""

from __future__ import annotations

import io
import json
import logging
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from smartseoul.core import ratelimit
from smartseoul.core.errors import PermissionDenied, RateLimited
from smartseoul.core.middleware import checks_own_input
from smartseoul.lib import spreadsheet

from . import selectors, services
from .errors import QueryError

log = logging.getLogger("smartseoul.opendata.openapi")

SAMPLE_KEY = "sample"
SAMPLE_MAX = 5
MAX_ROWS = 1000
MESSAGES = {
    "INFO-000": "정상 처리되었습니다",
    "INFO-100": "인증키가 유효하지 않습니다. 인증키가 없는 경우, 열린 데이터 광장 홈페이지에서 인증키를 신청하십시오.",
    "INFO-200": "해당하는 데이터가 없습니다.",
    "INFO-300": "관리자에 의해 인증키 사용이 제한되었습니다.",
    "ERROR-300": "필수 값이 누락되어 있습니다. 요청인자를 참고 하십시오.",
    "ERROR-301": "파일타입 값이 누락 혹은 유효하지 않습니다. 요청인자 중 TYPE을 확인하십시오.",
    "ERROR-310": "해당하는 서비스를 찾을 수 없습니다. 요청인자 중 SERVICE를 확인하십시오.",
    "ERROR-331": "요청시작위치 값을 확인하십시오. 요청인자 중 START_INDEX를 확인하십시오.",
    "ERROR-332": "요청종료위치 값을 확인하십시오. 요청인자 중 END_INDEX를 확인하십시오.",
    "ERROR-333": "요청위치 값의 타입이 유효하지 않습니다. 요청위치 값은 정수를 입력하세요.",
    "ERROR-334": "요청종료위치 보다 요청시작위치가 더 큽니다. 요청시작조회건수는 정수를 입력하세요.",
    "ERROR-335": "샘플데이터(샘플키:sample) 는 한번에 최대 5건을 넘을 수 없습니다. "
    "요청시작위치와 요청종료위치 값은 1 ~ 5 사이만 가능합니다.",
    "ERROR-336": "데이터요청은 한번에 최대 1000건을 넘을 수 없습니다. "
    "요청종료위치에서 요청시작위치를 뺀 값이 1000을 넘지 않도록 수정하세요.",
    "ERROR-337": "일별 트래픽 제한을 넘은 호출입니다. 오늘은 더이상 호출할 수 없습니다.",
    "ERROR-500": "서버 오류입니다. 지속적으로 발생시 열린 데이터 광장으로 문의(Q&A) 바랍니다.",
    "ERROR-600": "데이터베이스 연결 오류입니다. 지속적으로 발생시 열린 데이터 광장으로 문의(Q&A) 바랍니다.",
    "ERROR-601": "SQL 문장 오류 입니다. 지속적으로 발생시 열린 데이터 광장으로 문의(Q&A) 바랍니다.",
}


class Coded(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _xml_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _result(code: str) -> dict[str, str]:
    return {"CODE": code, "MESSAGE": MESSAGES[code]}


def _render_error(type_: str, code: str) -> HttpResponse:
    if type_ == "json":
        return HttpResponse(
            json.dumps({"RESULT": _result(code)}, ensure_ascii=False), content_type="application/json;charset=utf-8"
        )
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<RESULT><CODE>{code}</CODE>'
        f"<MESSAGE><![CDATA[{MESSAGES[code]}]]></MESSAGE></RESULT>"
    )
    return HttpResponse(body.encode(), content_type="application/xml;charset=utf-8")


def _render(type_: str, service: str, total: int, rows: list[dict[str, Any]]) -> HttpResponse:
    if type_ == "json":
        body = {service: {"list_total_count": total, "RESULT": _result("INFO-000"), "row": rows}}
        return HttpResponse(
            json.dumps(body, ensure_ascii=False, default=str), content_type="application/json;charset=utf-8"
        )
    if type_ == "xls":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(service[:31])
        names = list(rows[0]) if rows else []
        ws.append(spreadsheet.xlsx_row(ws, names))
        for row in rows:
            ws.append(spreadsheet.xlsx_row(ws, [row[n] for n in names]))  # text stays text, never a formula
        buf = io.BytesIO()
        wb.save(buf)
        response = HttpResponse(
            buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{service}.xlsx"'
        return response
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{service}><list_total_count>{total}</list_total_count>',
        f"<RESULT><CODE>INFO-000</CODE><MESSAGE><![CDATA[{MESSAGES['INFO-000']}]]></MESSAGE></RESULT>",
    ]
    for row in rows:
        parts.append("<row>" + "".join(f"<{k}>{_xml_value(v)}</{k}>" for k, v in row.items()) + "</row>")
    parts.append(f"</{service}>")
    response = HttpResponse("".join(parts).encode(), content_type="application/xml;charset=utf-8")
    if type_ == "xmlf":
        response["Content-Disposition"] = f'attachment; filename="{service}.xml"'
    return response


def _index(raw: str) -> int:
    raw = raw.strip()
    if not raw:
        raise Coded("ERROR-300")
    try:
        return int(raw)
    except ValueError:
        raise Coded("ERROR-333") from None


@csrf_exempt
@checks_own_input  # a NUL character fails the path's own checks (ERROR-333) or the service lookup
@require_GET
def openapi(
    request: HttpRequest, key: str, type_: str, service: str, start: str, end: str, filters: str = ""
) -> HttpResponse:
    error_type = "json" if type_ == "json" else "xml"
    try:
        return _serve(request, key, type_, service, start, end, filters)
    except Coded as exc:
        return _render_error(error_type, exc.code)
    except Exception:
        log.exception("Seoul OpenAPI call for service %s failed", service)
        return _render_error(error_type, "ERROR-500")


def _serve(
    request: HttpRequest, key: str, type_: str, service: str, start_raw: str, end_raw: str, filters_raw: str
) -> HttpResponse:
    sample = key == SAMPLE_KEY
    if sample:
        try:
            ratelimit.hit(f"openapi-sample:{ratelimit.client_ip(request)}", limit=600, window_seconds=3600)
        except RateLimited:
            raise Coded("ERROR-337") from None
    else:
        try:
            api_key = services.api_key_use(raw=key)
        except RateLimited:
            raise Coded("ERROR-337") from None
        except PermissionDenied:
            raise Coded("INFO-100") from None
        sample = services.api_key_is_sample(api_key)
    dataset = selectors.dataset_by_service(service)
    if dataset is None:
        raise Coded("ERROR-310")
    start, end = _index(start_raw), _index(end_raw)
    if start < 1:
        raise Coded("ERROR-331")
    if end < 1:
        raise Coded("ERROR-332")
    if start > end:
        raise Coded("ERROR-334")
    if sample and (start > SAMPLE_MAX or end > SAMPLE_MAX):
        raise Coded("ERROR-335")
    if end - start + 1 > MAX_ROWS:
        raise Coded("ERROR-336")
    found = selectors.primary_table(dataset)
    if found is None:
        raise Coded("INFO-200")
    _res, table = found
    if not selectors.table_path(table).exists():
        raise Coded("ERROR-600")
    values = [v for v in filters_raw.split("/")] if filters_raw else []
    filters: dict[str, Any] = {}
    for column, value in zip(dataset.api_filters or [], values, strict=False):
        if value.strip():
            filters[column] = value.strip()
    sort = [f"{c} asc" for c in dataset.primary_key or []] or None
    try:
        result = selectors.table_query(table, filters=filters, sort=sort, limit=end - start + 1, offset=start - 1)
    except QueryError:
        raise Coded("INFO-200") from None
    total = result.total or 0
    if total == 0 or start > total or not result.records:
        raise Coded("INFO-200")
    api_names = {f["id"]: (f.get("info") or {}).get("api_name") or f["id"].upper() for f in table.fields}
    rows = [{api_names.get(k, k.upper()): v for k, v in r.items() if k != "_id"} for r in result.records]  # type: ignore[union-attr]
    services.usage_count(dataset_id=dataset.pk, kind="api_calls")
    return _render(type_, service, total, rows)
