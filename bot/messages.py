"""Every French sentence vmbot says or prints, in one place (vouvoiement throughout)."""

from __future__ import annotations

# --- Data validation (loading.py) -------------------------------------------------------
DATA_NOT_MAPPING = "un dictionnaire (clé: valeur) est attendu"
DATA_NOT_LIST = "une liste est attendue"
DATA_UNKNOWN_FIELD = "champ inconnu « {field} »"
DATA_MISSING_FIELD = "champ obligatoire « {field} » manquant"
DATA_EMPTY_FIELD = "le champ « {field} » est vide"
DATA_BAD_TYPE = "le champ « {field} » n'a pas le bon type"
DATA_LINE = "ligne {line}"
DATA_BAD_YAML = "YAML invalide, le fichier ne peut pas être lu"
DATA_UNREADABLE = "fichier illisible ({error})"
DATA_MISSING_FOLDER = "dossier introuvable"
DATA_EMPTY_FOLDER = "aucun fichier .yaml dans ce dossier"
DATA_PASSAGE = "passage {id}"
DATA_INTENT = "intention {id}"
DATA_DUPLICATE_ID = "identifiant déjà défini dans {other}"
DATA_BAD_TOP_LEVEL = "le fichier doit avoir une seule clé de premier niveau parmi : {keys}"
DATA_ONE_LEXICON = "il faut exactement un fichier « lexicon » dans intents/ (trouvé : {n})"
DATA_BAD_ID = "identifiant invalide (lettres minuscules, chiffres, _ . - uniquement)"
DATA_BAD_KIND = "type inconnu, valeurs possibles : {kinds}"
DATA_FAQ_NEEDS_SOURCES = "une intention FAQ doit citer au moins un passage (champ « sources »)"
DATA_EMPTY_EXAMPLE = "un exemple est vide ou n'est pas du texte"
DATA_EXAMPLE_COUNT = "{n} exemples, il en faut entre {lo} et {hi}"
DATA_DUPLICATE_EXAMPLE = "l'exemple « {example} » figure déjà dans l'intention {other}"
DATA_REPEATED_EXAMPLE = "l'exemple « {example} » est répété"
DATA_UNKNOWN_PASSAGE = "passage inconnu « {passage} »"
DATA_EXCERPT_NOT_VERBATIM = "l'extrait cité ne figure pas mot pour mot dans le passage {passage}"
DATA_BAD_WORD = "« {word} » dans {field} doit être un seul mot, sans accent ni majuscule"
DATA_BAD_SYNONYMS = "les synonymes de « {term} » doivent être une liste de textes"
DATA_ERRORS_HEADER = "Les données de vmbot sont invalides :"

# --- Answers ---------------------------------------------------------------------------
FALLBACK = (
    "Je ne suis pas sûr de comprendre votre question. Je peux vous parler des machines "
    "virtuelles, des conteneurs et de Docker : leurs différences, leurs points communs, "
    "la sécurité, les ressources, et quand choisir l'un ou l'autre. Essayez par exemple :"
)
EMPTY_QUESTION = (
    "Votre question est vide. Posez-moi une question sur Docker ou les machines virtuelles."
)
AMBIGUOUS = "Votre question peut porter sur plusieurs sujets. Lequel vous intéresse ?"
AMBIGUOUS_HINT = "Répondez par le numéro de votre choix."
SUGGESTION = "« {question} »"
SOURCES_HEADER = "Sources :"
SOURCE_LINE = "[{passage}] {document} : « {excerpt} »"
NO_SOURCES = "Pas de source pour cette réponse."

# --- Command line ----------------------------------------------------------------------
CLI_DESCRIPTION = (
    "vmbot répond en français à vos questions sur Docker, les conteneurs et les machines "
    "virtuelles, et vous aide à choisir entre les deux."
)
CLI_ASK_HELP = "répondre à une question (ou à une question par ligne lue sur l'entrée standard)"
CLI_QUESTION_HELP = "la question ; sans elle, les questions sont lues sur l'entrée standard"
CLI_JSON_HELP = "écrire la réponse en JSON (un objet par ligne)"
CLI_SOURCES_HELP = "afficher les sources de la réponse"
CLI_FAQ_HELP = "afficher toute la FAQ en Markdown"
CLI_DATA_HELP = "dossier des données (intents/ et corpus/)"
CLI_NLP_MODEL_ERROR = (
    "Le modèle français de spaCy (fr_core_news_sm) est introuvable ou illisible : {error}. "
    "Réinstallez vmbot avec pip."
)
CLI_BAD_INPUT_LINE = "Ligne {line} illisible (encodage invalide) : ignorée."
CLI_INTERRUPTED = "Interrompu."

FAQ_TITLE = "# FAQ : Docker ou machine virtuelle ?"
FAQ_INTRO = (
    "Réponses tirées de deux articles en français, avec les passages cités. "
    "Générée par `vmbot faq`."
)
FAQ_SOURCES = "Sources :"

# --- Evaluation --------------------------------------------------------------------------
EVAL_NOT_LIST = "le fichier d'évaluation doit être une liste d'entrées {q: ..., intent: ...}"
EVAL_BAD_ENTRY = "entrée invalide : il faut exactement les clés q (texte non vide) et intent"
EVAL_UNKNOWN_INTENT = "intention inconnue : {intent}"
