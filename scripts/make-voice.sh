#!/bin/sh
# Regenerates the Mandarin voice clips in resources/voice/ that the renderer plays to speak an
# amount ("收款成功，一百二十三元四角"). Clips are made once here and committed, so the app needs
# no network and no OS voice at run time. Needs Debian's espeak-ng (voice cmn) and sox:
#   apt-get install -y espeak-ng sox
# Each clip is 16 kHz mono 16-bit WAV with leading/trailing silence trimmed, so a sequence of
# clips sounds like one sentence. File names are ASCII (the renderer maps words to names in
# renderer/src/features/checkout/voice.ts; keep the two lists in step).
set -eu
out="$(cd "$(dirname "$0")/.." && pwd)/resources/voice"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

clip() { # name text
  espeak-ng -v cmn -s 165 -w "$tmp/$1.raw.wav" "$2"
  sox "$tmp/$1.raw.wav" -r 16000 -c 1 -b 16 "$out/$1.wav" \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0 0.04 gain -n -1
}

clip d0 零; clip d1 一; clip d2 二; clip d3 三; clip d4 四
clip d5 五; clip d6 六; clip d7 七; clip d8 八; clip d9 九
clip shi 十; clip bai 百; clip qian 千; clip wan 万
clip yuan 元; clip jiao 角; clip fen 分
clip paid 收款成功
clip offline 离线受理，待上传
clip failed 收款失败
clip showcode 请出示付款码
clip userpaying 请顾客在手机上输入密码
clip withdraw 取款成功，请核对现金
clip billpaid 缴费成功
clip billqueued 缴费已登记，待上传
echo "voice clips written to $out"
