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
DATA_MISSING_FILE = "fichier introuvable"
DATA_EMPTY_FOLDER = "aucun fichier .yaml dans ce dossier"
DATA_PASSAGE = "passage {id}"
DATA_INTENT = "intention {id}"
DATA_DUPLICATE_ID = "identifiant déjà défini dans {other}"
DATA_BAD_TOP_LEVEL = "le fichier doit avoir une seule clé de premier niveau parmi : {keys}"
DATA_ONE_FILE = "il faut exactement un fichier « {key} » dans intents/ (trouvé : {n})"
DATA_BAD_ELISION = "elisions : « {word} » doit valoir « any » ou une liste de mots"
DATA_BAD_EMOJI = "emoji : chaque émoji (pas une lettre) doit être associé à un texte, même vide"
DATA_BAD_MIRROR = "side et mirror vont ensemble ; side doit valoir : {sides}"
DATA_UNKNOWN_MIRROR = "mirror doit nommer une intention existante de l'autre côté (side)"
DATA_BAD_SIDES = "sides : clés possibles {sides}, chacune avec une liste de mots"
DATA_BAD_ORDINALS = "ordinals : chaque mot doit être associé à un numéro entier"
DATA_BAD_ID = "identifiant invalide (lettres minuscules, chiffres, _ . - uniquement)"
DATA_BAD_KIND = "type inconnu, valeurs possibles : {kinds}"
DATA_UNUSED_ANSWER = (
    "une intention hors sujet n'a pas de réponse (le message de repli dit pourquoi)"
)
DATA_FAQ_NEEDS_SOURCES = "une intention FAQ doit citer au moins un passage (champ « sources »)"
DATA_EMPTY_EXAMPLE = "un exemple est vide ou n'est pas du texte"
DATA_EXAMPLE_COUNT = "{n} exemples, il en faut entre {lo} et {hi}"
DATA_DUPLICATE_EXAMPLE = "l'exemple « {example} » figure déjà dans l'intention {other}"
DATA_REPEATED_EXAMPLE = "l'exemple « {example} » est répété"
DATA_UNKNOWN_PASSAGE = "passage inconnu « {passage} »"
DATA_EXCERPT_NOT_VERBATIM = "l'extrait cité ne figure pas mot pour mot dans le passage {passage}"
DATA_BAD_WORD = "« {word} » dans {field} doit être un seul mot, sans accent ni majuscule"
DATA_BAD_SYNONYMS = "les synonymes de « {term} » doivent être une liste de textes"
DATA_BAD_ACCENT_SENSE = (
    "accent_senses : « {word} » doit être un mot accentué associé à un texte non vide"
)
DATA_BAD_PHRASES = "« {field} » doit être une liste de mots ou d'expressions non vides"
DATA_CLOSING_NOT_VERDICT = "closing_verdicts : « {phrase} » doit figurer parmi les verdicts"
DATA_ITEM = "{key} {id}"
DATA_BAD_CHOICE = "le champ « {field} » doit valoir : {values}"
DATA_BAD_WEIGHT = "le champ « weight » doit être un entier de 1 à 3"
DATA_BAD_PREVALENCE = "le champ « prevalence » doit être un nombre strictement entre 0 et 1"
DATA_BAD_VERDICTS = (
    "verdicts : clés possibles {verdicts}, chacune avec une liste de phrases "
    '(entre guillemets si YAML les lirait autrement : "yes", "no")'
)
DATA_OUTCOMES = "il faut une recommandation (fichier « outcomes ») pour chacun de : {ids}"
DATA_MISSING_ROLES = "aucune intention ne joue le rôle (champ « role ») : {roles}"
DATA_DUPLICATE_ROLE = "le rôle « {role} » est déjà joué par l'intention {other}"
DATA_SUGGESTED_NOT_FAQ = "seule une intention FAQ peut être suggérée (champ « suggested »)"
DATA_MISSING_CRITERIA = "critères requis manquants : {ids}"
DATA_ERRORS_HEADER = "Les données de vmbot sont invalides :"
CACHE_BUILDING = "vmbot prépare {what} (première utilisation, ou données modifiées)…"
CACHE_ARTEFACTS = {
    "lemmas": "les lemmes du français avec spaCy",
    "index": "le modèle des questions",
    "needs": "le modèle des réponses au conseil",
    "word-lists": "les dictionnaires",
}
CACHE_UNWRITABLE = (
    "vmbot : le cache {folder} ne peut pas être écrit ({error}) ; chaque lancement "
    "reconstruira l'index (quelques secondes). Choisissez un autre dossier avec VMBOT_CACHE_DIR."
)
# --- The process's streams ------------------------------------------------------------
CLI_OUTPUT_ERROR = "vmbot : impossible d'écrire la réponse ({error})."
CLI_ASK_WAITING = "vmbot attend vos questions, une par ligne (Ctrl-D pour finir)."
CLI_ASK_ECHO = "» {question}"
CLI_ASK_STDIN_CLOSED = (
    "vmbot ask : l'entrée standard est fermée ; donnez la question en argument, "
    'par exemple : vmbot ask "c\'est quoi une VM ?"'
)
CLI_CHAT_STDIN_CLOSED = (
    "vmbot chat : l'entrée standard est fermée ; lancez-le dans un terminal, ou envoyez-lui "
    "les messages sur son entrée standard, un par ligne."
)
OS_NO_SPACE = "plus de place sur le disque"
OS_QUOTA = "quota disque dépassé"
OS_TOO_BIG = "fichier trop volumineux"
OS_IO = "erreur d'entrée-sortie"
DATA_MISSING_HEADER = "Les données de vmbot sont introuvables :"
DATA_MISSING_HINT = (
    "Indiquez le dossier qui contient intents/ et corpus/ avec --data DOSSIER "
    "ou la variable d'environnement VMBOT_DATA."
)

# --- Answers ---------------------------------------------------------------------------
FALLBACK_TOPICS = (
    "Je peux vous parler des machines virtuelles, des conteneurs et de Docker : leurs "
    "différences, leurs points communs, la sécurité, les ressources, et quand choisir l'un "
    "ou l'autre. Essayez par exemple :"
)
EMPTY_QUESTION = (
    "Votre question est vide. Posez-moi une question sur Docker ou les machines virtuelles."
)
FALLBACKS = {
    "unclear": f"Je ne suis pas sûr de comprendre votre question. {FALLBACK_TOPICS}",
    "off_domain": f"Cette question sort de mon domaine. {FALLBACK_TOPICS}",
    "unsourced": (
        "Mes sources ne couvrent pas ce point (commandes, installation, configuration, "
        "dépannage, tarifs ou produits qu'elles ne décrivent pas) : je ne peux pas y répondre "
        f"sans inventer. {FALLBACK_TOPICS}"
    ),
    "language": (
        "Je ne comprends que le français, désolé. Posez-moi votre question en français. "
        f"{FALLBACK_TOPICS}"
    ),
}
CLARIFY = "Je ne suis pas sûr d'avoir compris. Vouliez-vous dire :"
CLARIFY_HINT = "Répondez par le numéro de votre choix, ou reformulez votre question."
CLARIFY_ONE_HINT = "Répondez « 1 » (ou « oui ») pour cette réponse, ou reformulez votre question."
SUGGESTION = "« {question} »"
SOURCES_HEADER = "Sources :"
SOURCE_LINE = "[{passage}] {document} : « {excerpt} »"
NO_SOURCES = "Pas de source pour cette réponse."
NO_CHOICE_OFFERED = "Aucun choix n'est proposé pour l'instant : posez votre question."

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
CLI_VERSION_HELP = "afficher la version de vmbot et quitter"
# --- argparse in French ---------------------------------------------------------------------
ARGS_USAGE = "utilisation : "
ARGS_POSITIONALS = "arguments"
ARGS_OPTIONALS = "options"
ARGS_HELP = "afficher cette aide et quitter"
ARGS_ERROR = "{prog} : erreur : {error}\n"
ARGS_UNRECOGNIZED = "arguments non reconnus : {}"
ARGS_REQUIRED = "arguments obligatoires manquants : {}"
ARGS_AMBIGUOUS = "option ambiguë : {} peut désigner {}"
ARGS_CHOICE = "{} : choix invalide : {} (possibles : {})"
ARGS_BAD_VALUE = "{} : valeur invalide : {}"
ARGS_ONE_VALUE = "{} : une valeur est attendue"
ARGS_EXCLUSIVE = "{} : incompatible avec {}"
ARGS_OTHER = "{} : {}"
CLI_NLP_MODEL_ERROR = (
    "Le modèle français de spaCy (fr_core_news_sm) est introuvable ou illisible : {error}. "
    "Réinstallez vmbot avec pip."
)
CLI_BAD_INPUT_LINE = "Ligne {line} : encodage invalide, les caractères illisibles sont remplacés."
CLI_INTERRUPTED = "Interrompu."
CLI_STOPPED = "Arrêt demandé : vmbot s'est arrêté proprement."

FAQ_TITLE = "# FAQ : Docker ou machine virtuelle ?"
FAQ_INTRO = (
    "Réponses tirées de deux articles en français, avec les passages cités. "
    "Générée par `vmbot faq`."
)
FAQ_SOURCES = "Sources :"
FAQ_SOURCE_LINE = "- *{title}* ({origin}), passage `{passage}` : « {excerpt} »"

# --- Evaluation --------------------------------------------------------------------------
EVAL_NOT_LIST = "le fichier d'évaluation doit être une liste d'entrées {q: ..., intent: ...}"
EVAL_BAD_ENTRY = (
    "entrée invalide : il faut les clés q (texte non vide) et intent (un identifiant, une "
    "liste d'identifiants ou null), et au plus style et oos"
)
EVAL_UNKNOWN_INTENT = "intention inconnue : {intent}"

# --- Dialogue ----------------------------------------------------------------------------
EMPTY_MESSAGE = "Je n'ai rien reçu. Posez-moi une question, ou demandez-moi un conseil."
STATE_RESET = "Je n'ai pas pu relire notre conversation précédente : nous repartons de zéro."
ADVICE_START = (
    "Volontiers ! Je vais vous poser quelques questions sur votre application, une à la fois. "
    "Répondez par oui, non ou je ne sais pas (ou décrivez votre projet librement)."
)
ADVICE_MORE = "Quelques questions pour compléter :"
NOTED_HEADER = "J'ai noté :"
NOTED_UNKNOWN = "à vérifier : {question}"
NOTED_CORRECT_ME = "Si je me trompe, corrigez-moi (par exemple : « non, ce n'est pas le cas »)."
ADVICE_UPDATED = "C'est noté, cela change ma recommandation."
ADVICE_KEPT = "C'est noté ; ma recommandation reste la même."
ADVICE_WITHOUT_ANSWERS = (
    "Faute de réponses à mes questions, voici ma recommandation par défaut, à confirmer "
    "quand vous en saurez plus sur votre projet."
)
# A question asked beside an answer, which the sources do not cover: the advice goes on.
CANNOT_ANSWER_ASIDE = "Je ne peux pas répondre à cette question avec mes sources."
CANNOT_ANSWER_DURING_ADVICE = (
    f"{CANNOT_ANSWER_ASIDE} Ma question, elle, porte sur un point qui pèse dans le choix "
    "entre une machine virtuelle et des conteneurs."
)
EXPECTED_ANSWER = "Je n'ai pas compris votre réponse. Répondez par oui, non ou je ne sais pas."
GIVING_UP = (
    "Je n'arrive pas à lire votre réponse : je la compte comme « je ne sais pas » et je passe "
    "à la suite."
)
SKIPPING = "Je laisse ma question précédente de côté (comptée comme « je ne sais pas »)."
BACK_TO_QUESTION = "Pour revenir à ma question :\n"
# A follow-up question the user did not understand ("hein ?"): said again with its reason.
PUZZLED_DURING_ADVICE = "Je précise ma question."
WHY_THIS_QUESTION = (
    "Je vous pose cette question parce que, d'après mes sources, ce point fait pencher vers "
    "{side} : « {excerpt} » (source : {passage}). Si c'est votre cas, ce point plaide pour "
    "{side} ; sinon, il ne pèse pas."
)
REASONS_HEADER = "Ce qui a pesé dans ma recommandation :"
NO_REASONS = (
    "Aucun de vos besoins n'impose une machine virtuelle ni ne demande spécialement des conteneurs."
)
# After a recommendation made without asking every question (the rare needs left).
UNASKED_HEADER = (
    "Je ne vous ai pas tout demandé : si vous répondez oui à l'une de ces questions, "
    "dites-le-moi et je revois mon conseil."
)
WHY_HINT = (
    "Tapez « pourquoi » pour le détail avec les sources, ou « recommencer » pour un autre projet."
)
# A bare "oui", "ok" or "non" when no question is pending.
ACKNOWLEDGED_AFTER_ADVICE = (
    "Entendu. Tapez « pourquoi » pour le détail de ma recommandation, « recommencer » pour "
    "un autre projet, ou posez-moi une question sur Docker et les machines virtuelles."
)
ACKNOWLEDGED_DURING_ADVICE = (
    "Pour cette question, il me faut un oui, un non ou un « je ne sais pas »."
)
ACKNOWLEDGED = (
    "Entendu. Posez-moi une question sur Docker, les conteneurs ou les machines virtuelles, "
    "ou demandez-moi un conseil pour votre projet."
)
WHY_HEADER = "J'ai recommandé {outcome} pour ces raisons :"
WHY_ABSENT_ONE = "Le critère restant ne s'applique pas à votre projet (ou vous ne le saviez pas)."
WHY_ABSENT = (
    "Les {count} autres critères ne s'appliquent pas à votre projet (ou vous ne le saviez pas)."
)
SOURCE_WORD = "source :"
OUTCOME_NAMES = {
    "vm": "une machine virtuelle",
    "conteneur": "des conteneurs",
    "conteneur_sur_vm": "des conteneurs sur des machines virtuelles",
}
CHOICE_OUT_OF_RANGE = "Choisissez un numéro entre 1 et {n}."
NOTHING_TO_JUSTIFY = (
    "Je ne vous ai encore rien recommandé. Demandez-moi un conseil, par exemple "
    "« VM ou conteneurs pour mon projet ? », et je vous poserai quelques questions."
)

# --- Terminal chat -------------------------------------------------------------------------
REPL_PROMPT = "vous › "
REPL_WELCOME = (
    "vmbot : posez vos questions sur Docker et les machines virtuelles, ou demandez un "
    "conseil pour votre projet. /aide pour les commandes, Ctrl-D pour quitter."
)
REPL_HELP = """Commandes :
  /aide         cette aide
  /sources      les sources de la dernière réponse
  /recommencer  repartir de zéro
  /quitter      quitter (ou exit, /q, Ctrl-D)
Tab complète les questions connues ; les flèches parcourent l'historique."""
REPL_BYE = "À bientôt !"
REPL_UNKNOWN_COMMAND = "Commande inconnue : {command}. Tapez /aide pour la liste."
CLI_CHAT_HELP = "converser : questions, et conseil VM ou conteneurs pas à pas"
CLI_CHAT_JSON_HELP = "entrée non interactive : un objet JSON par ligne lue"

# --- Evaluation report --------------------------------------------------------------------
CLI_EVAL_HELP = "mesurer la précision sur un jeu de questions étiquetées"
CLI_EVAL_FILE_HELP = (
    "fichier YAML de questions étiquetées (défaut, dans une copie du dépôt : "
    "tests/data/eval_questions.yaml)"
)
CLI_EVAL_NEEDS_FILE = (
    "vmbot eval : indiquez le fichier de questions étiquetées à mesurer, par exemple "
    "« vmbot eval mes_questions.yaml » (le jeu de test du dépôt n'est pas installé avec vmbot)."
)
CLI_EVAL_JSON_HELP = "écrire le rapport en JSON"
CLI_EVAL_MIN_HELP = "code de sortie 3 si la précision (dans le domaine) est inférieure à ce seuil"
CLI_EVAL_CV_HELP = "validation croisée en K parties sur les exemples des intentions"
CLI_EVAL_BAD_FOLDS = "--cross-validate attend un nombre de parties entre 2 et 20."
EVAL_TITLE = "Évaluation de vmbot : {source}"
EVAL_CV_SOURCE = "validation croisée en {k} parties sur les exemples des intentions"
EVAL_SUMMARY = (
    "Précision (dans le domaine) : {accuracy} sur {in_scope} questions\n"
    "Rejet hors sujet : {rejection} sur {out_of_scope} questions\n"
    "F1 macro : {macro_f1}\n"
    "Latence par question : p50 {p50} ms, p99 {p99} ms"
)
EVAL_PER_INTENT = "Par intention"
EVAL_COLUMNS = ("intention", "précision", "rappel", "F1", "effectif")
EVAL_PER_STYLE = "Par style d'écriture"
EVAL_STYLE_COLUMNS = ("style", "dans le domaine", "précision", "hors sujet", "rejet")
EVAL_CONFUSIONS = "Confusions les plus fréquentes"
EVAL_CONFUSION_COLUMNS = ("attendu", "obtenu", "nombre")
EVAL_ERRORS = "Questions mal classées"
EVAL_ERROR_COLUMNS = ("ligne", "question", "attendu", "obtenu", "confiance")
EVAL_NONE = "(hors sujet)"
EVAL_PROGRESS = "Évaluation"
EVAL_BELOW_MIN = "Précision {accuracy} inférieure au seuil demandé ({minimum})."
# A miss the bot did not answer: out of scope, or not sure enough (a fallback either way).
EVAL_NO_ANSWER = "(pas de réponse)"
CLI_EVAL_BAD_SHARE = (
    "seuil invalide : « {value} » (un nombre entre 0 et 1, ou un pourcentage : 97 %)"
)

# --- Slack ---------------------------------------------------------------------------------
CLI_SLACK_HELP = "répondre sur Slack (Socket Mode par défaut, ou événements HTTP avec --http)"
CLI_SLACK_HTTP_HELP = "recevoir les événements par HTTP sur /slack/events au lieu du Socket Mode"
CLI_SLACK_HOST_HELP = "adresse d'écoute en mode HTTP (défaut : 0.0.0.0)"
CLI_SLACK_PORT_HELP = "port d'écoute en mode HTTP (défaut : 3000)"
CLI_SLACK_WORKERS_HELP = (
    "en mode HTTP, nombre de processus qui répondent (défaut : 1) ; au-delà d'un, "
    "les conversations doivent être dans SQLite ou Redis"
)
CLI_SLACK_BAD_WORKERS = "nombre de processus invalide : « {value} » (de 1 à 64)"
CLI_SLACK_WORKERS_MEMORY = (
    "Plusieurs processus (--workers) ne peuvent pas partager des conversations en mémoire : "
    "choisissez --store sqlite:///chemin/du/fichier ou redis://hôte:port/base."
)
CLI_SLACK_BAD_PORT = "port invalide : « {value} » (un nombre de 0 à 65535 est attendu)"
SLACK_ENV_MISSING = "La variable d'environnement {name} est absente : il faut {what}."
SLACK_ENV_MALFORMED = "La variable d'environnement {name} est invalide : il faut {what}."
SLACK_ENV_WHAT = {
    "SLACK_BOT_TOKEN": "le jeton du bot, qui commence par « xoxb- »",
    "SLACK_APP_TOKEN": "le jeton d'application du Socket Mode, qui commence par « xapp- »",
    "SLACK_SIGNING_SECRET": "le secret de signature de l'application (lettres et chiffres)",
    "SLACK_API_URL": "l'adresse http(s) de l'API Web de Slack, par exemple https://slack.com/api/",
    "VMBOT_SLACK_LEASE": "un nombre de secondes entre 1 et 600 (10 par défaut)",
}
SLACK_AUTH_FAILED = "Slack refuse le jeton du bot (SLACK_BOT_TOKEN) : {error}"
SLACK_UNREACHABLE = "L'API Web de Slack ne répond pas ({url}) : {error}"
SLACK_PORT_FAILED = "Impossible d'écouter sur {host}:{port} : {error}"
SLACK_LISTENING_HTTP = (
    "vmbot attend les événements Slack sur http://{host}:{port}/slack/events (Ctrl-C pour arrêter)."
)
SLACK_LISTENING_SOCKET = "vmbot est connecté à Slack en Socket Mode (Ctrl-C pour arrêter)."
# What a button click types in the conversation, and the button's label.
SLACK_ANSWER_BUTTONS = (("oui", "Oui"), ("non", "Non"), ("je ne sais pas", "Je ne sais pas"))
SLACK_CHOSEN = "<@{user}> a répondu : *{label}*"
SLACK_SOURCE = "`{passage}` « {excerpt} »"
SLACK_MORE_SOURCES = "et {count} autres sources"
SLACK_APP_TOKEN_REFUSED = "Slack refuse le jeton d'application (SLACK_APP_TOKEN) : {error}"
SLACK_STORE_DOWN = (
    "Désolé, je n'arrive pas à retrouver nos conversations pour le moment : "
    "réessayez dans un instant."
)
SLACK_SESSION_EXPIRED = (
    "Cette conversation a expiré : je ne retrouve plus vos réponses précédentes. "
    "Pour recommencer, mentionnez-moi avec votre question, par exemple "
    "« @vmbot je voudrais un conseil pour mon projet », ou envoyez-la-moi en message privé."
)
CLI_SLACK_STORE_HELP = (
    "où garder les conversations : sqlite:///chemin/du/fichier (défaut : un fichier dans le "
    "dossier de données de l'utilisateur), redis://hôte:port/base pour plusieurs processus, "
    "ou memory:// (perdues à l'arrêt) ; aussi la variable VMBOT_STORE"
)
STORE_URL_INVALID = (
    "Adresse du stockage des conversations invalide : « {url} » (attendu : memory://, "
    "sqlite:///chemin/du/fichier ou redis://hôte:port/base)."
)
STORE_UNREACHABLE = "Le stockage des conversations ne répond pas ({url}) : {error}"
SLACK_HEALTH_STORE_DOWN = "le stockage des conversations ne répond pas"
