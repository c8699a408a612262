/* kinds/questionnaire: a blank printable form from a survey definition.
 * The dossier includes the definitions (`surveys:`, usually from a shared
 * file, the same the report reads) and names the one to print. */
#include "../kinds.h"
#include "../survey.h"

static const kind_field q_fields[] = {
    {"survey", KS_STRING, true, "id анкеты из surveys", NULL, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static const kind_field root_fields[] = {
    {"school", KS_MAP, false, "реквизиты организации (обычно из school.yaml)", kind_school_fields,
     NULL},
    {"surveys", KS_SEQ, true, "анкеты (обычно из общего файла через include)", NULL, NULL},
    {"questionnaire", KS_MAP, true, "бланк анкеты", q_fields, NULL},
    {NULL, 0, false, NULL, NULL, NULL}};

static bool compute(const yl_node *root, arena *a, diag *d, const yl_node **data)
{
    survey_def *defs;
    size_t n;
    if (!survey_read_defs(yl_map_get(root, "surveys"), a, d, &defs, &n))
        return false;
    const yl_node *q = yl_map_get(root, "questionnaire");
    const survey_def *s = survey_find(defs, n, yl_map_get(q, "survey"), d);
    if (!s)
        return false;
    yl_node *form = survey_form_node(s, a);
    /* the school line and the PDF's author: the school when the dossier has one */
    const char *school = yl_str(yl_map_get(yl_map_get(root, "school"), "short_name"));
    if (school)
        survey_put_str(a, form, "school", school);
    survey_put_str(a, form, "author", school ? school : "nastavdoc");
    *data = kind_map_set(a, root, "form", form);
    return true;
}

const kind_def kind_questionnaire = {"questionnaire", root_fields, "questionnaire", compute};
