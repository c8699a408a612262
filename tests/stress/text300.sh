#!/bin/sh
# A generated regulation of about 300 pages (issue 10): 60 sections of 45 clauses of
# paragraphs, lists and a table per section, with a table of contents.
# Usage: tests/stress/text300.sh OUTDIR [SECTIONS]   -> OUTDIR/text300.yaml, OUTDIR/school.yaml
set -eu
out=$1
sections=${2:-60}
mkdir -p "$out"
cat >"$out/school.yaml" <<'YAML'
school:
  name: "Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 1»"
  short_name: "МБОУ «СШ № 1»"
  header: ["Управление образования администрации города Энска"]
  city: "г. Энск"
  director: {name: "Петров Пётр Петрович", position: "Директор"}
YAML
awk -v sections="$sections" 'BEGIN {
    print "document: text"
    print "include: [school.yaml]"
    print "text:"
    print "  approval:"
    for (k = 1; k <= 4; k++)
        printf "    - lines: [\"УТВЕРЖДЕНО %d\", \"приказом директора\", \"от 01.09.2024 № %d\"]\n", k, k
    print "  approval_layout: grid"
    print "  title: \"Положение о наставничестве (проверка объёма)\""
    print "  place: \"г. Энск\""
    print "  year: \"2024\""
    print "  authors: [\"Иванова И.И., заместитель директора\"]"
    print "  toc: true"
    print "  sections:"
    for (s = 1; s <= sections; s++) {
        printf "    - title: \"Раздел о наставничестве номер %d\"\n", s
        print "      body:"
        for (c = 1; c <= 45; c++) {
            if (c % 5 == 0) {
                printf "        - clause: \"Наставник в рамках раздела %d обязан:\"\n", s
                print "          body:"
                print "            - list:"
                print "                - \"помогать разрабатывать индивидуальный план развития наставляемого;\""
                print "                - text: \"встречаться с наставляемым для обсуждения:\""
                print "                  items: [\"хода работы;\", \"трудностей и их преодоления.\"]"
                print "                - \"принимать участие в мероприятиях, организуемых для наставников.\""
            } else {
                printf "        - clause: \"Пункт %d раздела %d: наставническая деятельность осуществляется на основании настоящего Положения, дорожной карты внедрения целевой модели и программы наставничества; ответственность за организацию и результаты несут директор, куратор и наставники в рамках возложенных на них обязанностей.\"\n", c, s
            }
        }
        print "        - table:"
        print "            columns: [{key: a, title: \"Наставник\"}, {key: b, title: \"Наставляемый\"}]"
        print "            rows:"
        print "              - {a: \"Опытный педагог, имеющий профессиональные успехи\", b: \"Молодой специалист с опытом работы от 0 до 3 лет\"}"
        print "              - {a: \"Активный ученик, обладающий лидерскими качествами\", b: \"Обучающийся, испытывающий трудности\"}"
    }
}' >"$out/text300.yaml"
