"""Place names of ID-number area codes, and a loose test of whether an address lies there.

The names come from python-stdnum's ``cn/loc`` database (``stdnum/cn/loc.dat``,
read with :mod:`stdnum.numdb`, as :func:`stdnum.cn.ric.get_birth_place` reads it):
a two-digit province with four-digit children, where ``XX00`` is the prefecture
(地级) and ``XXYY`` the county (县级). A name may carry the years it was in use,
``[1983-1995]北区,[1996-]开福区``. Names are compared loosely: the address must
contain the name or its stem (省/市/区/自治州… stripped), any name the code ever
had counts — people move and places are renamed, so a mismatch is only ever a
reason to look, not proof.

>>> a = lookup("430105")
>>> a.province, [n.name for n in a.prefecture], [(n.start, n.end, n.name) for n in a.county]
('湖南省', ['长沙市'], [(1983, 1995, '北区'), (1996, None, '开福区')])
>>> named_in(["内蒙古自治区"], "内蒙古呼和浩特市"), named_in(["凉山彝族自治州"], "四川省凉山州西昌市")
(True, True)
>>> codes_named_in("湖南省长沙市开福区巡道街幸福小区居民组")
['430105']
>>> lookup("990000") is None, lookup("4305") is None
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any

from stdnum import numdb

_SUFFIXES = sorted(("特别行政区", "特別行政區", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州",
                    "自治县", "自治旗", "地区", "林区", "矿区", "新区", "省", "市", "区", "县", "旗", "盟", "州"),
                   key=len, reverse=True)
_PLACEHOLDERS = ("市辖区", "县", "市区", "郊区", "矿区")


@dataclass(frozen=True)
class Name:
    """One name of a place, and the years it was in use (None: open-ended)."""

    name: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Area:
    """The province, prefecture and county names of a six-digit area code."""

    code: str
    province: str
    prefecture: tuple[Name, ...]
    county: tuple[Name, ...]
    """Empty when stdnum does not know the county code."""


def _names(value: str) -> tuple[Name, ...]:
    names = []
    for part in value.split(","):
        if part.startswith("[") and "]" in part:
            years, name = part[1:].split("]", 1)
            start, _, end = years.partition("-")
            names.append(Name(name, int(start) if start.isdigit() else None, int(end) if end.isdigit() else None))
        elif part:
            names.append(Name(part))
    return tuple(names)


def _county_prop(info: list[tuple[str, dict[str, str]]]) -> str:
    return info[1][1].get("county", "") if len(info) > 1 else ""


def lookup(code: str) -> Area | None:
    """The names of a six-digit area code; None when the province is unknown."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    db = numdb.get("cn/loc")
    info = db.info(code)
    province = info[0][1].get("province") if info else None
    if not province:
        return None
    prefecture = _names(_county_prop(db.info(code[:4] + "00"))) if code[2:4] != "00" else ()
    county = _names(_county_prop(info)) if code[4:] != "00" else ()
    return Area(code, province, prefecture, county)


def aliases(name: str) -> set[str]:
    """The ways an address may write a place name: itself, its stem, and for 自治 names the first two characters."""
    if name in _PLACEHOLDERS or "直辖" in name:
        return set()
    found = {name}
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            found.add(name[: -len(suffix)])
            break
    if "自治" in name:
        found.add(name[:2])
    return {a for a in found if len(a) >= 2}


def usable(names: Iterable[Name | str]) -> bool:
    """Whether any of the names is a real place name (not 市辖区, 县, 省直辖…)."""
    return any(aliases(n.name if isinstance(n, Name) else n) for n in names)


def named_in(names: Iterable[Name | str], address: str) -> bool:
    """Whether the address contains any of the names, compared loosely."""
    return any(a in address for n in names for a in aliases(n.name if isinstance(n, Name) else n))


def _children(entry: Any) -> list[Any]:
    return list(entry[4]) if len(entry) > 4 else []


@cache
def _tree() -> tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]:
    """(province code, province name, ((four-digit code, names), ...)) from the numdb prefix tree."""
    provinces = []
    for entry in numdb.get("cn/loc").prefixes:
        length, low, _high, props, *_ = entry
        if length == 2 and props.get("province"):
            children = tuple((c[1], c[3].get("county", "")) for c in _children(entry) if c[0] == 4)
            provinces.append((low, props["province"], children))
    return tuple(provinces)


def codes_named_in(address: str, limit: int = 3) -> list[str]:
    """Area codes whose province, prefecture (where it has one) and county the address names.

    Only current names count (those whose range is open-ended), so the codes suggested are codes
    in use today.
    """
    found: list[str] = []
    for prov_code, prov_name, children in _tree():
        if not named_in([prov_name], address):
            continue
        prefectures = {code[:2]: names for code, names in children
                       if code.endswith("00") and named_in(_names(names), address)}
        for code, names in children:
            if code.endswith("00") or (prefectures and code[:2] not in prefectures):
                continue
            # 长沙县 must not match an address in 长沙市: aliases shared with the prefecture don't count
            taken = aliases(prov_name).union(*(aliases(n.name) for n in _names(prefectures.get(code[:2], ""))))
            current = {a for n in _names(names) if n.end is None for a in aliases(n.name)} - taken
            if any(a in address for a in current) and len(found) < limit:
                found.append(prov_code + code)
    return found


@cache
def place_names() -> frozenset[str]:
    """Every province, prefecture and county name the database has ever had (with its suffix)."""
    out: set[str] = set()
    for _code, prov_name, children in _tree():
        out.add(prov_name)
        for _child, names in children:
            out.update(n.name for n in _names(names))
    return frozenset(out - set(_PLACEHOLDERS))


@cache
def provinces() -> tuple[str, ...]:
    """The province-level names (北京市, 湖南省, 内蒙古自治区…) with their suffixes, as addresses begin."""
    return tuple(name for _code, name, _children in _tree())


def starts_with_province(text: str) -> bool:
    """Whether ``text`` begins with a province, autonomous region or municipality (or its short form: 新疆,
    内蒙古), whole, as every address on an ID card does; one that does not — or whose province name breaks off
    part-way (``宁夏回族自`` and then a county) — has lost part of its beginning (cut off, covered, glare) or
    was misread.

    >>> starts_with_province("湖南省长沙市开福区巡道街"), starts_with_province("新疆昌吉回族自治州昌吉市")
    (True, True)
    >>> starts_with_province("镇光荣村二组6号"), starts_with_province("长沙市开福区巡道街")
    (False, False)
    >>> starts_with_province("宁夏回族自平罗县太平镇"), starts_with_province("宁夏平罗县太平镇")
    (False, True)
    """
    for name in provinces():
        if text.startswith(name):
            return True
    for name in provinces():
        for alias in sorted(aliases(name), key=len, reverse=True):
            if alias != name and text.startswith(alias):
                rest, missing = text[len(alias) :], name[len(alias) :]
                # the short form, then something else: fine; then the start of the rest of the name only: broken
                return not (missing and rest[:1] == missing[:1])
    return False


def starts_with_place(text: str) -> bool:
    """Whether ``text`` begins with a known place name (``濉溪县公安局`` yes, ``潍溪县公安局`` no)."""
    return any(text.startswith(name) for name in place_names() if len(name) >= 2)



_COUNTY = re.compile(r"^(.{1,13}?(?:自治县|自治旗|县|区|市|旗))")
_ZONES = ("园区", "开发区", "新区", "高新", "保税", "试验区", "工业区", "管理区", "风景区", "度假区")
"""Development and other zones an address may name after its city: not counties, and not in the register."""


@cache
def _levels() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The ways an address may write a province, a prefecture and a county: every name the register has ever
    had, its stem, and the stem with a short suffix (``凉山州`` for 凉山彝族自治州, ``峨边县`` for 峨边彝族自治县)."""
    def forms(names: Iterable[str], suffixes: tuple[str, ...]) -> frozenset[str]:
        out = set()
        for name in names:
            if name in _PLACEHOLDERS or "直辖" in name:
                continue
            out.add(name)
            for a in aliases(name) - {name}:
                out.update(a + s for s in suffixes)
        return frozenset(out)

    provinces: set[str] = set()
    prefectures: set[str] = set()
    counties: set[str] = set()
    for _code, prov_name, children in _tree():
        provinces.add(prov_name)
        for code, names in children:
            (prefectures if code.endswith("00") else counties).update(n.name for n in _names(names))
    return (frozenset(provinces), forms(prefectures, ("州", "市", "地区", "盟")),
            forms(counties, ("县", "区", "市", "旗")))


MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


def unknown_county(address: str) -> str | None:
    """The county-level name an address gives right after its province and prefecture (or its municipality),
    when no county the register has ever had is called so — a misread character (``滩溪县`` for ``濉溪县``) or no
    such place; None when the address names a known one, a development zone, or cannot be parsed that far (no
    prefecture recognised after a province that has them).

    >>> unknown_county("安徽省淮北市滩溪县东风路600号"), unknown_county("安徽省淮北市濉溪县东风路600号")
    ('滩溪县', None)
    >>> unknown_county("北京市朝阳区建国路88号"), unknown_county("江苏省苏州市工业园区星湖街328号")
    (None, None)
    >>> unknown_county("新疆维吾尔自治区乌鲁木齐市新市区北京路1号"), unknown_county("四川省凉山州西昌市长安街1号")
    (None, None)
    """
    provinces, prefectures, counties = _levels()
    province = max((p for p in provinces if address.startswith(p)), key=len, default=None)
    if province is None:
        return None
    rest = address[len(province):]
    prefecture = max((p for p in prefectures if rest.startswith(p)), key=len, default=None)
    if prefecture is None and province not in MUNICIPALITIES:
        return None
    rest = rest[len(prefecture):] if prefecture else rest
    if any(rest[:k] in counties for k in range(2, 16)):
        return None
    m = _COUNTY.match(rest)
    if m is None or any(z in m[1] for z in _ZONES):
        return None
    return m[1]


_BRANCH = re.compile(r"^(.+?)公安局(.+?)分局$")


def misread_branch(issuer: str) -> tuple[str, str] | None:
    """For an issuer that is a city bureau's branch (``阜阳市公安局颍州分局``) whose branch is named by no county
    of that city but one character away from one: the branch as read and the county it misreads (``颖州`` for
    ``颍州``: 颍 and 颖 differ by a stroke). None otherwise — a branch named after a county, or after a part of
    town (``城关``, ``开发区``) that no county's name is one character from.

    >>> misread_branch("阜阳市公安局颖州分局"), misread_branch("阜阳市公安局颍州分局")
    (('颖州', '颍州'), None)
    >>> misread_branch("阜阳市公安局开发区分局"), misread_branch("濉溪县公安局")
    (None, None)
    """
    m = _BRANCH.match(issuer)
    if m is None:
        return None
    city, branch = m[1], m[2]
    branch_forms = {branch} | aliases(branch)
    counties = _county_forms(city)
    if not counties or branch_forms & set(counties):
        return None
    near = sorted((not current, c) for c, current in counties.items() for b in branch_forms
                  if len(c) == len(b) and sum(x != y for x, y in zip(c, b, strict=True)) == 1)
    return (branch, near[0][1]) if near else None


@lru_cache(maxsize=1024)  # keyed by what OCR read: bounded
def _county_forms(city: str) -> Mapping[str, bool]:
    """Each way of writing the counties of ``city`` (a prefecture, or a municipality's districts) → whether it is
    a name in use."""
    counties: dict[str, bool] = {}

    def add(names: str) -> None:
        for n in _names(names):
            for f in aliases(n.name) | ({n.name[:-1]} if len(n.name) > 2 else set()):  # 井陉矿区: 井陉矿
                counties[f] = counties.get(f, False) or n.end is None

    for _code, province, children in _tree():
        for code, names in children:
            if province == city and not code.endswith("00"):  # a municipality: its districts
                add(names)
            elif code.endswith("00") and any(city == n.name or city in aliases(n.name) for n in _names(names)):
                for c, ns in children:
                    if c[:2] == code[:2] and not c.endswith("00"):
                        add(ns)
    return MappingProxyType(counties)
