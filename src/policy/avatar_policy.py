# ak-avatars policy v1 store=inline
# Validation policy for avatar uploads, managed by ak-avatars.
# `ak-avatars setup` rewrites this policy: change the options there, not here.
#
# authentik runs this text as the body of a function (return True = the form is accepted). It checks the
# file prompt `attributes.avatar` and the checkbox `attributes.avatar_reset` before the user write stage
# stores them: declared type, content (magic bytes), size, strict base64; then stores the image inline
# (normalised data URI) or as a file in a directory a reverse proxy serves.
# No image data is logged here: authentik already copies the submitted prompt data into its events.
# --- ak-avatars config ---
STORE = "inline"
MAX_BYTES = 524288
ALLOWED_TYPES = ["image/png", "image/jpeg"]
ALLOW_SVG = False
STORE_DIR = ""
PUBLIC_URL = ""
# --- end config ---

import base64
import binascii
import html
import os
import re
import secrets
import stat

# The prompt stage builds prompt_data with a DRF serializer whose field names are the prompts' field keys.
# DRF splits a dotted name into a nested path, so `attributes.avatar` normally arrives as
# prompt_data["attributes"]["avatar"]; flat keys ("attributes.avatar") are accepted too, since authentik's
# user write stage handles both forms.
FLAT_AVATAR = "attributes.avatar"
FLAT_RESET = "attributes.avatar_reset"
TYPE_NAMES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP", "image/gif": "GIF", "image/svg+xml": "SVG"}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif", "image/svg+xml": "svg"}
MIME_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png", "image/apng": "image/png"}
# The only file names this policy creates, so the only ones it ever deletes.
OUR_FILE = re.compile(r"akav-[0-9a-f]{32}\.(?:png|jpg|webp|gif|svg)")
BASE64_CHARS = re.compile(r"[A-Za-z0-9+/]*={0,2}")
SVG_MAX_BYTES = 2 * 1024 * 1024

allowed = set(ALLOWED_TYPES)
if not ALLOW_SVG:
    allowed.discard("image/svg+xml")


def size_text(n):
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return "%d MB" % (n // (1024 * 1024))
    if n >= 1024:
        return "%d KB" % (n // 1024)
    return "%d bytes" % n


def allowed_text():
    names = [TYPE_NAMES[t] for t in ALLOWED_TYPES if t in allowed and t in TYPE_NAMES]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def is_checked(value):
    if value is True:
        return True
    if isinstance(value, str):
        return value.strip().lower() in ("true", "on", "1", "yes")
    return isinstance(value, int) and not isinstance(value, bool) and value == 1


def looks_like_svg(raw):
    if b"\x00" in raw[:4096]:
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    # Optional XML declaration, comments and a plain DOCTYPE, then the <svg> root element.
    # An internal DTD subset still counts as SVG here, so svg_is_safe() can refuse it with the right message.
    prolog = r"\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE\s+svg[^>\[]*(?:\[.*?\]\s*)?>\s*)*<svg[\s>/]"
    if re.match(prolog, text[:65536], re.I | re.S):
        return text
    return None


def detect(raw):
    if len(raw) >= 33 and raw[:8] == b"\x89PNG\r\n\x1a\n" and raw[12:16] == b"IHDR":
        return "image/png"
    if len(raw) >= 4 and raw[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if (len(raw) >= 20 and raw[:4] == b"RIFF" and raw[8:12] == b"WEBP"
            and raw[12:16] in (b"VP8 ", b"VP8L", b"VP8X")
            and int.from_bytes(raw[4:8], "little") + 8 <= len(raw)):
        return "image/webp"
    if len(raw) >= 13 and raw[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if looks_like_svg(raw) is not None:
        return "image/svg+xml"
    return None


# Conservative: anything that could run code or load something from elsewhere refuses the whole file,
# checked after decoding character references (so "&#106;avascript:" cannot hide).
SVG_UNSAFE = [
    r"<!entity",
    r"<!doctype[^>]*\[",
    r"<\?xml-stylesheet",
    r"<\s*(?:[a-z0-9_.-]+:)?(?:script|foreignobject|iframe|frame|image|feimage|embed|object|handler|listener|"
    r"include|audio|video|link|meta|base)\b",
    r"(?:^|[\s\"'/])on[a-z]+\s*=",
    r"(?:java|vb)script\s*:",
    r"href\s*=\s*(?![\"']\s*#)",
    r"\ssrc\s*=",
    r"url\s*\(\s*(?![\"']?\s*#)",
    r"@import",
    r"expression\s*\(",
    r"attributename\s*=\s*[\"']?\s*(?:xlink:)?href",
]


def svg_is_safe(raw):
    text = looks_like_svg(raw)
    if text is None:
        return False
    plain = html.unescape(text).lower()
    for pattern in SVG_UNSAFE:
        if re.search(pattern, plain):
            return False
    return True


def our_file_name(url):
    # Only a URL under PUBLIC_URL whose remainder is exactly one of our generated names: no "/", "..",
    # "%2F", query string, other host or absolute path can get through this test.
    if not STORE_DIR or not PUBLIC_URL or not isinstance(url, str) or not url.startswith(PUBLIC_URL):
        return None
    name = url[len(PUBLIC_URL):]
    if OUR_FILE.fullmatch(name) is None:
        return None
    return name


def remove_previous_file(keep=None):
    user = request.user
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return
    attributes = getattr(user, "attributes", None)
    if not isinstance(attributes, dict):
        return
    name = our_file_name(attributes.get("avatar"))
    if name is None or name == keep:
        return
    path = os.path.join(STORE_DIR, name)
    try:
        info = os.lstat(path)
        # Never follow or remove symlinks, directories or devices: we only ever create regular files.
        if not stat.S_ISREG(info.st_mode):
            ak_logger.warning("ak-avatars: previous avatar is not a regular file, left alone", file=name)
            return
        os.unlink(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        ak_logger.warning("ak-avatars: could not remove previous avatar", file=name, error=str(exc))


def write_file(raw, mime):
    # Temp file + rename: the web server never serves a half-written image.
    name = "akav-" + secrets.token_hex(16) + "." + EXTENSIONS[mime]
    tmp = os.path.join(STORE_DIR, ".akav-tmp-" + secrets.token_hex(8))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(tmp, flags, 0o644)
    try:
        try:
            os.fchmod(fd, 0o644)  # the process umask may have removed the read bits the web server needs
            view = memoryview(raw)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, os.path.join(STORE_DIR, name))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return name


prompt_data = request.context.get("prompt_data")
if not isinstance(prompt_data, dict):
    return True
nested = prompt_data.get("attributes")
if not isinstance(nested, dict):
    nested = None

# 1. The checkbox is never stored: authentik would keep it in the user's attributes (and before 2025.10 a
#    flat key "attributes.avatar_reset" was written as avatar.reset, which fails when avatar is a string).
reset = False
reset_where = None
if nested is not None and "avatar_reset" in nested:
    reset = is_checked(nested.pop("avatar_reset")) or reset
    reset_where = "nested"
if FLAT_RESET in prompt_data:
    reset = is_checked(prompt_data.pop(FLAT_RESET)) or reset
    reset_where = reset_where or "flat"

# 2. Take the upload out of prompt_data; only a validated value is put back.
upload = None
where = None
if FLAT_AVATAR in prompt_data:
    upload = prompt_data.pop(FLAT_AVATAR)
    where = "flat"
if nested is not None and "avatar" in nested:
    upload = nested.pop("avatar")
    where = "nested"


def put_avatar(value):
    target = where or reset_where or "nested"
    if target == "nested":
        if nested is not None:
            nested["avatar"] = value
            return
        if "attributes" not in prompt_data:
            prompt_data["attributes"] = {"avatar": value}
            return
    prompt_data[FLAT_AVATAR] = value


mime = ""
payload = ""
if isinstance(upload, str) and upload != "":
    comma = upload.find(",", 0, 256)
    header = upload[:comma] if comma >= 0 else ""
    params = header[5:].split(";") if header[:5].lower() == "data:" else []
    if len(params) < 2 or params[-1].strip().lower() != "base64":
        ak_message("The avatar upload was not understood; please choose the file again.")
        return False
    mime = params[0].strip().lower()
    mime = MIME_ALIASES.get(mime, mime)
    payload = upload[comma + 1:]
elif upload is not None and not isinstance(upload, str):
    ak_message("The avatar upload was not understood; please choose the file again.")
    return False

if payload == "" and mime not in ("", "application/octet-stream"):
    ak_message("The selected file is empty.")
    return False

if payload == "":
    # No file chosen (the browser sends "data:application/octet-stream;base64,"): keep the current avatar.
    if reset:
        # Empty string: authentik falls back to the next avatar mode (gravatar, initials, ...).
        put_avatar("")
        remove_previous_file()
    return True

if reset:
    ak_message("Either upload a new avatar or remove the current one, not both at once.")
    return False

if mime == "image/svg+xml" and not ALLOW_SVG:
    ak_message("SVG images are not accepted as avatars; please use a " + allowed_text() + " image.")
    return False
if mime not in allowed:
    ak_message("Avatars must be " + allowed_text() + " images.")
    return False

# Size from the base64 length first, so an oversized upload is never decoded.
if len(payload) > 4 * ((MAX_BYTES + 2) // 3):
    ak_message("The avatar image is too large: the limit is " + size_text(MAX_BYTES) + ".")
    return False
if len(payload) % 4 != 0 or BASE64_CHARS.fullmatch(payload) is None:
    ak_message("The avatar upload is damaged (invalid base64); please choose the file again.")
    return False
try:
    raw = base64.b64decode(payload, validate=True)
except (binascii.Error, ValueError):
    ak_message("The avatar upload is damaged (invalid base64); please choose the file again.")
    return False
if len(raw) > MAX_BYTES:
    ak_message("The avatar image is too large: the limit is " + size_text(MAX_BYTES) + ".")
    return False

detected = detect(raw)
if detected == "image/svg+xml" and not ALLOW_SVG:
    ak_message("SVG images are not accepted as avatars; please use a " + allowed_text() + " image.")
    return False
if detected is None or detected not in allowed:
    ak_message("The file's content is not a " + allowed_text() + " image.")
    return False
if detected == "image/svg+xml":
    if len(raw) > SVG_MAX_BYTES:
        ak_message("The SVG image is too large: the limit is " + size_text(SVG_MAX_BYTES) + ".")
        return False
    if not svg_is_safe(raw):
        ak_message("This SVG image contains scripts or external references and cannot be used as an avatar.")
        return False

if STORE == "dir":
    if not os.path.isdir(STORE_DIR):
        ak_logger.warning("ak-avatars: avatar directory is missing", store_dir=STORE_DIR)
        ak_message("The avatar could not be saved; please try again later or contact an administrator.")
        return False
    try:
        name = write_file(raw, detected)
    except OSError as exc:
        ak_logger.warning("ak-avatars: could not write avatar file", store_dir=STORE_DIR, error=str(exc))
        ak_message("The avatar could not be saved; please try again later or contact an administrator.")
        return False
    put_avatar(PUBLIC_URL + name)
    # Only now that the new file exists may the old one go.
    remove_previous_file(keep=name)
    ak_logger.info("ak-avatars: avatar stored", file=name, type=detected, bytes=len(raw))
    return True

# Inline: the detected type, not the browser's claim, and canonical base64.
put_avatar("data:" + detected + ";base64," + base64.b64encode(raw).decode("ascii"))
# A file left over from an earlier dir-store setup (only when STORE_DIR/PUBLIC_URL are still configured).
remove_previous_file()
ak_logger.info("ak-avatars: avatar accepted", type=detected, bytes=len(raw))
return True
