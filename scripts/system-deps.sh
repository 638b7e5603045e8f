#!/usr/bin/env bash
# Installs the Debian packages the test suite needs: chromium (browser journeys), postgresql (the PostgreSQL
# run), poppler-utils (PDF text and page rendering) and fonts-droid-fallback (the PDFs' font for characters
# DejaVu lacks, such as Chinese names). Installs through apt when running as root; otherwise
# says what is missing and how to install it.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "DejaVuSans" || missing+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || missing+=(fonts-droid-fallback)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Paquets Debian manquants pour les tests : ${missing[*]}" >&2
  echo "Installez-les avec : sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installation des paquets Debian : ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
