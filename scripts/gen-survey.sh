#!/bin/sh
# The INVENTED survey round of МБОУ «Кезская СОШ № 2» (samples/kez-survey): answers to
# the «mentee» and «mentor» surveys of samples/kez-survey/surveys-kez.yaml, before and
# after the programme, drawn from a fixed pseudo-random sequence (Park–Miller, seeded), so
# the files and the report's numbers are the same on every machine and every run.
#
#   scripts/gen-survey.sh DIR [MENTEES [MENTORS]]     (defaults 40 and 20)
#
# writes into DIR:
#   responses-mentee-before.csv  as Google Forms exports it: «,», every field quoted, a
#                                «Отметка времени» and a «ФИО» column (invented names that
#                                the report must never print), the questions' texts as
#                                the header, a comma and a line break inside some answers
#   responses-mentee-after.csv   as Яндекс Формы exports it: a BOM, «;», question ids
#                                as the header, «ID» and «Время создания» columns
#   responses-mentor.yaml        the mentors' answers as YAML lists (keys
#                                responses_mentor_before and responses_mentor_after)
# The sample folder keeps the files of the default sizes; scripts/bench.sh makes 50,000.
set -eu
dir=${1:?usage: gen-survey.sh DIR [MENTEES [MENTORS]]}
mentees=${2:-40}
mentors=${3:-20}
mkdir -p "$dir"
LC_ALL=C awk -v dir="$dir" -v mentees="$mentees" -v mentors="$mentors" '
function rnd() { seed = (seed * 48271) % 2147483647; return seed / 2147483647 }
# a score around m, spread s, kept in 1..10
function score(m, s,   v) {
    v = int(m + s * (rnd() + rnd() + rnd() - 1.5) * 2 + 0.5)
    return v < 1 ? 1 : v > 10 ? 10 : v
}
function pick(list,   n, a) { n = split(list, a, "|"); return a[int(rnd() * n) + 1] }
function q(s) { gsub(/"/, "\"\"", s); return "\"" s "\"" }
BEGIN {
    seed = 20240901
    split("Иванова Анна|Петров Илья|Сидорова Мария|Кузнецов Егор|Смирнова Дарья|Попов Артём", names, "|")
    mt[1] = "Сталкивались ли Вы раньше с программой наставничества?"
    mt[2] = "Если да, то где?"
    mt[3] = "Ожидаемый уровень комфорта при общении с наставником"
    mt[4] = "Насколько полезными/интересными, как Вам кажется, будут личные встречи с наставником?"
    mt[5] = "Насколько полезными/интересными, как Вам кажется, будут групповые встречи?"
    mt[6] = "Какой уровень поддержки Вы ожидаете от наставника?"
    mt[7] = "Насколько Вы нуждаетесь в помощи наставника?"
    mt[8] = "Насколько понятным, согласно Вашим ожиданиям, должен быть план, выстроенный наставником?"
    mt[9] = "Насколько Вам важно ощущение безопасности при работе с наставником?"
    mt[10] = "Насколько Вам важно обсудить и зафиксировать ожидания наставника?"
    mt[11] = "Ожидаемые после завершения проекта перемены в Вашей жизни"
    mt[12] = "Ожидаемая полезность проекта для Вас"
    mt[13] = "Что Вы ожидаете от программы?"
    mt[14] = "Что для Вас является особенно ценным в программе?"
    mt[15] = "Вы рады, что участвуете в программе?"
    places = "в летнем лагере|в школе|в кружке|в спортивной секции"
    hopes = "Помощь с учёбой|Новых друзей|Подготовку к олимпиаде|Больше встреч, и проектов|Поддержку\nи советы"
    values = "Внимание наставника|Совместные проекты|Поддержка|Интересные встречи|Новые знания"

    # mentees before: Google Forms
    f = dir "/responses-mentee-before.csv"
    line = q("Отметка времени") "," q("ФИО")
    for (i = 1; i <= 15; i++) line = line "," q(mt[i])
    print line > f
    for (r = 1; r <= mentees; r++) {
        yes = rnd() < 0.3
        line = q(sprintf("%02d.09.2024 %02d:%02d:%02d", 2 + r % 5, 9 + r % 8, r % 60, (r * 7) % 60))
        line = line "," q(names[r % 6 + 1])
        line = line "," q(yes ? "Да" : "Нет") "," q(yes ? pick(places) : "")
        for (i = 3; i <= 12; i++) line = line "," q(score(6 + (i % 3) * 0.5, 1.6))
        line = line "," q(rnd() < 0.6 ? pick(hopes) : "") "," q(rnd() < 0.5 ? pick(values) : "")
        line = line "," q(rnd() < 0.85 ? "Да" : "Нет")
        print line > f
    }
    close(f)

    # mentees after: Яндекс Формы (BOM, «;», ids)
    f = dir "/responses-mentee-after.csv"
    line = "\357\273\277ID;Время создания"
    for (i = 1; i <= 15; i++) line = line ";q" i
    print line > f
    for (r = 1; r <= mentees; r++) {
        yes = rnd() < 0.3
        line = (1000 + r) ";" sprintf("2025-05-%02d %02d:%02d", 12 + r % 10, 10 + r % 7, r % 60)
        line = line ";" (yes ? "да" : "нет") ";" (yes ? pick(places) : "")
        for (i = 3; i <= 12; i++) line = line ";" score(8 + (i % 2) * 0.4, 1.1)
        line = line ";" (rnd() < 0.5 ? q(pick(hopes)) : "") ";" (rnd() < 0.6 ? pick(values) : "")
        line = line ";" (rnd() < 0.95 ? "да" : "нет")
        print line > f
    }
    close(f)

    # mentors: YAML
    f = dir "/responses-mentor.yaml"
    print "# INVENTED answers of the mentors, made by scripts/gen-survey.sh (do not edit by hand)." > f
    for (stage = 0; stage < 2; stage++) {
        print (stage ? "responses_mentor_after:" : "responses_mentor_before:") > f
        for (r = 1; r <= mentors; r++) {
            yes = rnd() < 0.5
            line = "  - {q1: " (yes ? "да" : "нет") (yes ? ", q2: \"" pick(places) "\"" : "")
            for (i = 3; i <= 11; i++) line = line ", q" i ": " score(stage ? 8.2 : 7, stage ? 1 : 1.5)
            line = line ", q14: " score(stage ? 9 : 8, 1) ", q15: " (rnd() < 0.9 + stage * 0.08 ? "да" : "нет") "}"
            print line > f
        }
    }
    close(f)
}'
