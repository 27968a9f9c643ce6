<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr" sourcelanguage="en">
<context>
    <name>ActionService</name>
    <message>
        <location filename="../../tray_app/services/actions.py" line="+349"/>
        <source>The server refused to mark the notification as read; it was restored.</source>
        <translation>Le serveur a refusé de marquer la notification comme lue&#xa0;; elle a été rétablie.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server refused to mark all notifications as read; they were restored.</source>
        <translation>Le serveur a refusé de marquer toutes les notifications comme lues&#xa0;; elles ont été rétablies.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server refused to delete the notification; it was restored.</source>
        <translation>Le serveur a refusé de supprimer la notification&#xa0;; elle a été rétablie.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server refused to delete the read notifications; they were restored.</source>
        <translation>Le serveur a refusé de supprimer les notifications lues&#xa0;; elles ont été rétablies.</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <location filename="../../tray_app/app/bootstrap.py" line="+58"/>
        <source>Mail Notifications</source>
        <translation>Notifications mail</translation>
    </message>
</context>
<context>
    <name>AppController</name>
    <message>
        <location filename="../../tray_app/app/controller.py" line="+186"/>
        <source>Unexpected error</source>
        <translation>Erreur inattendue</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong: %s
Details are in the log file.</source>
        <translation>Une erreur s’est produite&#xa0;: %s
Les détails figurent dans le fichier journal.</translation>
    </message>
    <message>
        <location line="+238"/>
        <source>Action undone</source>
        <translation>Action annulée</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>No system tray</source>
        <translation>Pas de zone de notification</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your desktop has no system tray, so the notification icon cannot be shown. The app stays available from its window; closing it keeps the app running.</source>
        <translation>Votre bureau n’a pas de zone de notification, l’icône des notifications ne peut donc pas être affichée. L’application reste accessible depuis sa fenêtre&#xa0;; la fermer ne quitte pas l’application.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Mail Notifications</source>
        <translation>Notifications mail</translation>
    </message>
</context>
<context>
    <name>AppTab</name>
    <message>
        <location filename="../../tray_app/ui/preferences_app_tab.py" line="+229"/>
        <source>Server and account</source>
        <translation>Serveur et compte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign &amp;out</source>
        <translation>Se &amp;déconnecter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;witch server…</source>
        <translation>&amp;Changer de serveur…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>General</source>
        <translation>Général</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start when I &amp;log in</source>
        <translation>Démarrer à l’&amp;ouverture de session</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Language:</source>
        <translation>&amp;Langue&#xa0;:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>System language</source>
        <translation>Langue du système</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A new language shows everywhere once the app is restarted.</source>
        <translation>Une nouvelle langue s’applique partout une fois l’application redémarrée.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open log &amp;folder</source>
        <translation>Ouvrir le dossier des &amp;journaux</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Update speed</source>
        <translation>Vitesse de mise à jour</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Battery saver</source>
        <translation>Économie de &amp;batterie</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>B&amp;alanced</source>
        <translation>É&amp;quilibrée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Fast</source>
        <translation>&amp;Rapide</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>About {idle} requests/hour while idle, {active} while active (up to {share} % of the server&apos;s limit).</source>
        <translation>Environ {idle}&#xa0;requêtes/heure au repos, {active} en activité (jusqu’à {share}&#xa0;% de la limite du serveur).</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Active means while the list window is open or a job is running. The server allows {limit} requests/hour per network address, shared by all its users behind that address.</source>
        <translation>«&#xa0;En activité&#xa0;» signifie que la fenêtre de la liste est ouverte ou qu’une tâche est en cours. Le serveur autorise {limit}&#xa0;requêtes/heure par adresse réseau, partagées entre tous ses utilisateurs derrière cette adresse.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Toasts</source>
        <translation>Alertes</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Test</source>
        <translation>&amp;Tester</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send a test toast</source>
        <translation>Envoyer une alerte de test</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quiet hours from</source>
        <translation>&amp;Heures calmes de</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>to</source>
        <translation>à</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start of quiet hours</source>
        <translation>Début des heures calmes</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>End of quiet hours</source>
        <translation>Fin des heures calmes</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Resume toasts</source>
        <translation>Réacti&amp;ver les alertes</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Signed in as {email} on {server}.</source>
        <translation>Connecté en tant que {email} sur {server}.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not signed in. Server: {server}.</source>
        <translation>Non connecté. Serveur&#xa0;: {server}.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not signed in.</source>
        <translation>Non connecté.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Checking how toasts can be shown…</source>
        <translation>Recherche d’un moyen d’afficher les alertes…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Toasts are shown through {name}.</source>
        <translation>Les alertes sont affichées via {name}.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Toasts cannot be shown: {reason}</source>
        <translation>Les alertes ne peuvent pas être affichées&#xa0;: {reason}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Toasts are not paused.</source>
        <translation>Les alertes ne sont pas suspendues.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Toasts are paused until {time}.</source>
        <translation>Les alertes sont suspendues jusqu’à {time}.</translation>
    </message>
</context>
<context>
    <name>Categories</name>
    <message>
        <location filename="../../tray_app/models/categories.py" line="+11"/>
        <source>Weekly report</source>
        <translation>Rapport hebdomadaire</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Job completed</source>
        <translation>Tâche terminée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Job failed</source>
        <translation>Tâche échouée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rule executed</source>
        <translation>Règle exécutée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Storage quota</source>
        <translation>Quota de stockage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Archive integrity</source>
        <translation>Intégrité des archives</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Other</source>
        <translation>Autre</translation>
    </message>
</context>
<context>
    <name>DetailPanel</name>
    <message>
        <location filename="../../tray_app/ui/detail_panel.py" line="+93"/>
        <source>Notification details</source>
        <translation>Détails de la notification</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Select a notification to see it in full.</source>
        <translation>Sélectionnez une notification pour la voir en entier.</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+26"/>
        <source>Top senders</source>
        <translation>Principaux expéditeurs</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>No notification selected</source>
        <translation>Aucune notification sélectionnée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Title</source>
        <translation>Titre</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Category</source>
        <translation>Catégorie</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Text</source>
        <translation>Texte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Read</source>
        <translation>Lue</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Unread</source>
        <translation>Non lue</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Imported</source>
        <translation>Importés</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Skipped</source>
        <translation>Ignorés</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Errors</source>
        <translation>Erreurs</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mails</source>
        <translation>Mails</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Rule</source>
        <translation>Règle</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Jobs completed</source>
        <translation>Tâches terminées</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Jobs failed</source>
        <translation>Tâches échouées</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mails archived</source>
        <translation>Mails archivés</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rules executed</source>
        <translation>Règles exécutées</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Archive size</source>
        <translation>Taille des archives</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Yes</source>
        <translation>Oui</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No</source>
        <translation>Non</translation>
    </message>
</context>
<context>
    <name>JobWatcher</name>
    <message>
        <location filename="../../tray_app/services/jobs.py" line="+286"/>
        <source>Archiving</source>
        <translation>Archivage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Importing mbox</source>
        <translation>Import mbox</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Importing IMAP</source>
        <translation>Import IMAP</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bulk operation</source>
        <translation>Opération groupée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Running rule</source>
        <translation>Exécution d’une règle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Syncing</source>
        <translation>Synchronisation</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Job</source>
        <translation>Tâche</translation>
    </message>
</context>
<context>
    <name>ListToolbar</name>
    <message>
        <location filename="../../tray_app/ui/list_toolbar.py" line="+42"/>
        <location line="+19"/>
        <source>Mark all as read</source>
        <translation>Tout marquer comme lu</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>Delete read…</source>
        <translation>Supprimer les lues…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+22"/>
        <source>Refresh</source>
        <translation>Actualiser</translation>
    </message>
    <message>
        <location line="-21"/>
        <source>Unread only</source>
        <translation>Non lues seulement</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Search loaded notifications (Ctrl+F)</source>
        <translation>Rechercher dans les notifications chargées (Ctrl+F)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Delete all read notifications</source>
        <translation>Supprimer toutes les notifications lues</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Deletes every read notification on the server, after confirmation</source>
        <translation>Supprime toutes les notifications lues sur le serveur, après confirmation</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show unread notifications only</source>
        <translation>N’afficher que les notifications non lues</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Category filter</source>
        <translation>Filtre par catégorie</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search</source>
        <translation>Rechercher</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Clear search</source>
        <translation>Effacer la recherche</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All categories</source>
        <translation>Toutes les catégories</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../tray_app/ui/login_dialog.py" line="+55"/>
        <location line="+31"/>
        <location line="+133"/>
        <source>Sign in</source>
        <translation>Se connecter</translation>
    </message>
    <message>
        <location line="-151"/>
        <source>Sign in with the account you use in the web app.</source>
        <translation>Connectez-vous avec le compte que vous utilisez dans l’application web.</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>&amp;Remember me</source>
        <translation>Se souvenir de &amp;moi</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Keep the password in the system keyring so that the app can sign in again by itself, e.g. after the computer wakes up.</source>
        <translation>Conserver le mot de passe dans le trousseau du système pour que l’application puisse se reconnecter seule, par exemple au réveil de l’ordinateur.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Server:</source>
        <translation>&amp;Serveur&#xa0;:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Email:</source>
        <translation>&amp;E-mail&#xa0;:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Password:</source>
        <translation>Mot de &amp;passe&#xa0;:</translation>
    </message>
    <message>
        <location line="-28"/>
        <source>Two-factor &amp;code:</source>
        <translation>&amp;Code de vérification&#xa0;:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This account uses two-factor authentication: enter the 6-digit code from your authenticator app.</source>
        <translation>Ce compte utilise l’authentification à deux facteurs&#xa0;: saisissez le code à 6&#xa0;chiffres de votre application d’authentification.</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>This address uses plain HTTP: your password and session would cross the network unencrypted. Use https:// unless you fully trust this network.</source>
        <translation>Cette adresse utilise HTTP sans chiffrement&#xa0;: votre mot de passe et votre session circuleraient en clair sur le réseau. Utilisez https:// sauf si vous faites entièrement confiance à ce réseau.</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>Signing in…</source>
        <translation>Connexion…</translation>
    </message>
    <message>
        <location line="+85"/>
        <source>Enter your email address.</source>
        <translation>Saisissez votre adresse e-mail.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This email address is not valid.</source>
        <translation>Cette adresse e-mail n’est pas valide.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter your password.</source>
        <translation>Saisissez votre mot de passe.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter the 6-digit code from your authenticator app.</source>
        <translation>Saisissez le code à 6&#xa0;chiffres de votre application d’authentification.</translation>
    </message>
</context>
<context>
    <name>LoginMessages</name>
    <message>
        <location filename="../../tray_app/ui/messages.py" line="+54"/>
        <source>Wrong email or password. If you created this account with Google sign-in, it has no password yet: set one in the web app, then sign in here.</source>
        <translation>E-mail ou mot de passe incorrect. Si vous avez créé ce compte avec la connexion Google, il n’a pas encore de mot de passe&#xa0;: définissez-en un dans l’application web, puis connectez-vous ici.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Signing in did not work. Try again in a moment.</source>
        <translation>La connexion a échoué. Réessayez dans un instant.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Wrong email or password.</source>
        <translation>E-mail ou mot de passe incorrect.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This account was created with Google sign-in and has no password, so it cannot sign in here yet. Set a password in the web app, then sign in with your email and that password.</source>
        <translation>Ce compte a été créé avec la connexion Google et n’a pas de mot de passe, il ne peut donc pas encore se connecter ici. Définissez un mot de passe dans l’application web, puis connectez-vous avec votre e-mail et ce mot de passe.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The two-factor code was not accepted. Enter the current 6-digit code from your authenticator app (check that your device&apos;s clock is right).</source>
        <translation>Le code de vérification n’a pas été accepté. Saisissez le code à 6&#xa0;chiffres actuel de votre application d’authentification (vérifiez que l’horloge de votre appareil est à l’heure).</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cannot reach the server. Check the address and your network connection.</source>
        <translation>Impossible de joindre le serveur. Vérifiez l’adresse et votre connexion réseau.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The server&apos;s security certificate could not be verified, so the connection was not made. Check the address, or ask your administrator.</source>
        <translation>Le certificat de sécurité du serveur n’a pas pu être vérifié, la connexion n’a donc pas été établie. Vérifiez l’adresse ou contactez votre administrateur.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The server had a problem. Try again in a moment.</source>
        <translation>Le serveur a rencontré un problème. Réessayez dans un instant.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This address does not answer like a mail-management server. Check the address.</source>
        <translation>Cette adresse ne répond pas comme un serveur de gestion des mails. Vérifiez l’adresse.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Too many sign-in attempts. Wait a minute, then try again.</source>
        <translation>Trop de tentatives de connexion. Patientez une minute, puis réessayez.</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>Too many sign-in attempts. Wait %n second(s), then try again.</source>
        <translation>
            <numerusform>Trop de tentatives de connexion. Patientez %n&#xa0;seconde, puis réessayez.</numerusform>
            <numerusform>Trop de tentatives de connexion. Patientez %n&#xa0;secondes, puis réessayez.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Enter the address of your server.</source>
        <translation>Saisissez l’adresse de votre serveur.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The address must start with https:// (or http://).</source>
        <translation>L’adresse doit commencer par https:// (ou http://).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The address has no server name.</source>
        <translation>Il manque le nom du serveur dans l’adresse.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The server name in this address is not valid.</source>
        <translation>Le nom du serveur dans cette adresse n’est pas valide.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The port number in this address is not valid.</source>
        <translation>Le numéro de port dans cette adresse n’est pas valide.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Do not put a user name or password in the address; use the fields below.</source>
        <translation>N’indiquez ni nom d’utilisateur ni mot de passe dans l’adresse&#xa0;: utilisez les champs ci-dessous.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This server address is not valid.</source>
        <translation>Cette adresse de serveur n’est pas valide.</translation>
    </message>
</context>
<context>
    <name>NotificationDelegate</name>
    <message>
        <location filename="../../tray_app/ui/notification_delegate.py" line="+371"/>
        <source>Delete</source>
        <translation>Supprimer</translation>
    </message>
</context>
<context>
    <name>NotificationListModel</name>
    <message>
        <location filename="../../tray_app/models/notification_list_model.py" line="+171"/>
        <source>Read</source>
        <translation>Lue</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Unread</source>
        <translation>Non lue</translation>
    </message>
</context>
<context>
    <name>NotificationWindow</name>
    <message>
        <location filename="../../tray_app/ui/list_window.py" line="+136"/>
        <location line="+188"/>
        <source>Notifications</source>
        <translation>Notifications</translation>
    </message>
    <message>
        <location line="-181"/>
        <source>Connection status</source>
        <translation>État de la connexion</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Status message</source>
        <translation>Message d’état</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Retry</source>
        <translation>Réessayer</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>List status</source>
        <translation>État de la liste</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>List and details</source>
        <translation>Liste et détails</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>never</source>
        <translation>jamais</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offline. Showing the notifications of the last sync (%1).</source>
        <translation>Hors ligne. Affichage des notifications de la dernière synchronisation (%1).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Could not load notifications: %1</source>
        <translation>Impossible de charger les notifications&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unknown error</source>
        <translation>erreur inconnue</translation>
    </message>
    <message numerus="yes">
        <location line="+107"/>
        <source>Notifications (%n unread)</source>
        <translation>
            <numerusform>Notifications (%n non lue)</numerusform>
            <numerusform>Notifications (%n non lues)</numerusform>
        </translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Loading…</source>
        <translation>Chargement…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No loaded notification matches the filter.</source>
        <translation>Aucune notification chargée ne correspond au filtre.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No unread notifications</source>
        <translation>Aucune notification non lue</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No notifications</source>
        <translation>Aucune notification</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Delete read notifications</source>
        <translation>Supprimer les notifications lues</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete ALL read notifications?</source>
        <translation>Supprimer TOUTES les notifications lues&#xa0;?</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This deletes every read notification on the server, not only the ones shown here: also those not loaded yet or hidden by a filter. It cannot be undone.</source>
        <translation>Cela supprime toutes les notifications lues sur le serveur, pas seulement celles affichées ici&#xa0;: aussi celles qui ne sont pas encore chargées ou qui sont masquées par un filtre. Cette action est irréversible.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Delete read</source>
        <translation>Supprimer les lues</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Confirm deletion of read notifications</source>
        <translation>Confirmer la suppression des notifications lues</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Notification actions</source>
        <translation>Actions sur la notification</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mark as read</source>
        <translation>Marquer comme lue</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Delete</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy text</source>
        <translation>Copier le texte</translation>
    </message>
</context>
<context>
    <name>NotificationsTab</name>
    <message>
        <location filename="../../tray_app/ui/preferences_notifications_tab.py" line="+172"/>
        <source>Weekly report (every Monday)</source>
        <translation>Rapport hebdomadaire (chaque lundi)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Job completed</source>
        <translation>Tâche terminée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Job failed</source>
        <translation>Tâche échouée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rule executed</source>
        <translation>Règle exécutée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Storage quota</source>
        <translation>Quota de stockage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Archive integrity</source>
        <translation>Intégrité des archives</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>These choices are stored on the server: they apply wherever you use your account.</source>
        <translation>Ces choix sont enregistrés sur le serveur&#xa0;: ils s’appliquent partout où vous utilisez votre compte.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>In-app: the notification is kept in the list. When off, the server does not store anything for this category.</source>
        <translation>Dans l’application&#xa0;: la notification est conservée dans la liste. Si la case est décochée, le serveur n’enregistre rien pour cette catégorie.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Toast: a desktop popup appears when it happens, whether or not the notification is kept in the list.</source>
        <translation>Alerte&#xa0;: une fenêtre surgissante apparaît sur le bureau au moment de l’événement, que la notification soit conservée dans la liste ou non.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>In-app</source>
        <translation>Dans l’application</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Toast</source>
        <translation>Alerte</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Refresh</source>
        <translation>A&amp;ctualiser</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load these choices from the server again.</source>
        <translation>Recharger ces choix depuis le serveur.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reset to &amp;defaults</source>
        <translation>Rétablir les valeurs par &amp;défaut</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+48"/>
        <source>Saving…</source>
        <translation>Enregistrement…</translation>
    </message>
    <message>
        <location line="-38"/>
        <source>{category}: in-app</source>
        <translation>{category}&#xa0;: dans l’application</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{category}: toast</source>
        <translation>{category}&#xa0;: alerte</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Send a test toast</source>
        <translation>Envoyer une alerte de test</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send a test toast: {category}</source>
        <translation>Envoyer une alerte de test&#xa0;: {category}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show a sample toast of this category now, to see how it looks.</source>
        <translation>Afficher tout de suite un exemple d’alerte de cette catégorie, pour voir à quoi elle ressemble.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Loading your choices from the server…</source>
        <translation>Chargement de vos choix depuis le serveur…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server cannot be reached: these choices cannot be changed now.</source>
        <translation>Impossible de joindre le serveur&#xa0;: ces choix ne peuvent pas être modifiés pour le moment.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sign in to see and change these choices.</source>
        <translation>Connectez-vous pour voir et modifier ces choix.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Your change to “{setting}” was not saved: {reason}</source>
        <translation>Votre modification de «&#xa0;{setting}&#xa0;» n’a pas été enregistrée&#xa0;: {reason}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The defaults were not restored: {reason}</source>
        <translation>Les valeurs par défaut n’ont pas été rétablies&#xa0;: {reason}</translation>
    </message>
</context>
<context>
    <name>Preferences</name>
    <message>
        <location filename="../../tray_app/app/preferences_wiring.py" line="+59"/>
        <source>The defaults were not saved: the server could not be reached.</source>
        <translation>Les valeurs par défaut n’ont pas été enregistrées&#xa0;: impossible de joindre le serveur.</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <location filename="../../tray_app/ui/preferences_dialog.py" line="+97"/>
        <location line="+3"/>
        <source>Preferences</source>
        <translation>Préférences</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>&amp;Notifications</source>
        <translation>&amp;Notifications</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;App</source>
        <translation>&amp;Application</translation>
    </message>
</context>
<context>
    <name>PreferencesService</name>
    <message>
        <location filename="../../tray_app/services/preferences.py" line="+116"/>
        <location line="+51"/>
        <source>Not connected to the server.</source>
        <translation>Non connecté au serveur.</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>Your session has expired: sign in again.</source>
        <translation>Votre session a expiré&#xa0;: reconnectez-vous.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server is busy: try again in a minute.</source>
        <translation>Le serveur est occupé&#xa0;: réessayez dans une minute.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server cannot be reached.</source>
        <translation>Impossible de joindre le serveur.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server had an internal error.</source>
        <translation>Le serveur a rencontré une erreur interne.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The server gave an unexpected answer.</source>
        <translation>Le serveur a renvoyé une réponse inattendue.</translation>
    </message>
</context>
<context>
    <name>RelativeTime</name>
    <message>
        <location filename="../../tray_app/models/time_text.py" line="+35"/>
        <source>just now</source>
        <translation>à l’instant</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n min ago</source>
        <translation>
            <numerusform>il y a %n&#xa0;min</numerusform>
            <numerusform>il y a %n&#xa0;min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n h ago</source>
        <translation>
            <numerusform>il y a %n&#xa0;h</numerusform>
            <numerusform>il y a %n&#xa0;h</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>yesterday</source>
        <translation>hier</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n days ago</source>
        <translation>
            <numerusform>il y a %n jour</numerusform>
            <numerusform>il y a %n jours</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>d MMM</source>
        <translation>d MMM</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>d MMM yyyy</source>
        <translation>d MMM yyyy</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <location filename="../../tray_app/settings.py" line="+108"/>
        <source>Address of the mail server, e.g. https://mail.example.org.</source>
        <translation>Adresse du serveur de mails, par ex. https://mail.example.org.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Email address used to log in.</source>
        <translation>Adresse e-mail utilisée pour se connecter.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Keep the password in the system keyring to log in again after sleep.</source>
        <translation>Conserver le mot de passe dans le trousseau du système pour se reconnecter après une mise en veille.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>How often to check the server: battery, balanced or fast.</source>
        <translation>Fréquence de consultation du serveur&#xa0;: battery, balanced ou fast.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Hold toasts back during quiet hours.</source>
        <translation>Retenir les alertes pendant les heures calmes.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Start of quiet hours (HH:MM).</source>
        <translation>Début des heures calmes (HH:MM).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>End of quiet hours (HH:MM).</source>
        <translation>Fin des heures calmes (HH:MM).</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Toasts are paused until this time (ISO 8601); empty when not paused.</source>
        <translation>Les alertes sont suspendues jusqu’à ce moment (ISO 8601)&#xa0;; vide si elles ne le sont pas.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Language of the app: system, en or fr.</source>
        <translation>Langue de l’application&#xa0;: system, en ou fr.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Start the app when you log in.</source>
        <translation>Démarrer l’application à l’ouverture de session.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>File of CA certificates to trust for the server; empty uses the system&apos;s.</source>
        <translation>Fichier des certificats d’autorité (CA) à accepter pour le serveur&#xa0;; vide pour utiliser ceux du système.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Size and position of the list window (base64).</source>
        <translation>Taille et position de la fenêtre de la liste (base64).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Detail of the log file: DEBUG, INFO, WARNING or ERROR.</source>
        <translation>Niveau de détail du journal&#xa0;: DEBUG, INFO, WARNING ou ERROR.</translation>
    </message>
</context>
<context>
    <name>Sizes</name>
    <message>
        <location filename="../../tray_app/ui/detail_panel.py" line="-208"/>
        <source>%1 B</source>
        <translation>%1&#xa0;o</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 KB</source>
        <translation>%1&#xa0;Ko</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 MB</source>
        <translation>%1&#xa0;Mo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 GB</source>
        <translation>%1&#xa0;Go</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 TB</source>
        <translation>%1&#xa0;To</translation>
    </message>
</context>
<context>
    <name>SyncService</name>
    <message>
        <location filename="../../tray_app/services/sync_support.py" line="+77"/>
        <source>The server&apos;s certificate could not be verified.</source>
        <translation>Le certificat du serveur n’a pas pu être vérifié.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cannot reach the server.</source>
        <translation>Impossible de joindre le serveur.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server asks to slow down; retrying later.</source>
        <translation>Le serveur demande de ralentir&#xa0;; nouvel essai plus tard.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server had an error; retrying.</source>
        <translation>Le serveur a rencontré une erreur&#xa0;; nouvel essai en cours.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server&apos;s answer was not understood; retrying.</source>
        <translation>La réponse du serveur n’a pas été comprise&#xa0;; nouvel essai en cours.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Syncing failed; retrying.</source>
        <translation>La synchronisation a échoué&#xa0;; nouvel essai en cours.</translation>
    </message>
</context>
<context>
    <name>ToastCoordinator</name>
    <message numerus="yes">
        <location filename="../../tray_app/services/toasts.py" line="+203"/>
        <source>%n new notification(s)</source>
        <translation>
            <numerusform>%n nouvelle notification</numerusform>
            <numerusform>%n nouvelles notifications</numerusform>
        </translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Open</source>
        <translation>Ouvrir</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Mark as read</source>
        <translation>Marquer comme lue</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Archiving failed</source>
        <translation>Archivage échoué</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+36"/>
        <source>Mbox import failed</source>
        <translation>Import mbox échoué</translation>
    </message>
    <message>
        <location line="-35"/>
        <source>IMAP import failed</source>
        <translation>Import IMAP échoué</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bulk operation failed</source>
        <translation>Opération groupée échouée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rule failed</source>
        <translation>Règle échouée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync failed</source>
        <translation>Synchronisation échouée</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+15"/>
        <source>Job failed</source>
        <translation>Tâche échouée</translation>
    </message>
    <message>
        <location line="-13"/>
        <location line="+27"/>
        <source>Archiving completed</source>
        <translation>Archivage terminé</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>Mbox import completed</source>
        <translation>Import mbox terminé</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>IMAP import completed</source>
        <translation>Import IMAP terminé</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bulk operation completed</source>
        <translation>Opération groupée terminée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rule completed</source>
        <translation>Règle terminée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync completed</source>
        <translation>Synchronisation terminée</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+5"/>
        <source>Job completed</source>
        <translation>Tâche terminée</translation>
    </message>
    <message>
        <location line="-1"/>
        <location line="+13"/>
        <source>Weekly report</source>
        <translation>Rapport hebdomadaire</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>Rule executed</source>
        <translation>Règle exécutée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Storage quota</source>
        <translation>Quota de stockage</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+18"/>
        <source>Archive integrity</source>
        <translation>Intégrité des archives</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Notification</source>
        <translation>Notification</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>3 jobs completed · 120 mails archived (45.2 MB)</source>
        <translation>3&#xa0;tâches terminées · 120&#xa0;mails archivés (45,2&#xa0;Mo)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>42 mails archived.</source>
        <translation>42&#xa0;mails archivés.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Error: the file is unreadable</source>
        <translation>Erreur&#xa0;: le fichier est illisible</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rule &quot;Newsletters&quot; executed</source>
        <translation>Règle «&#xa0;Newsletters&#xa0;» exécutée</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>17 mails handled.</source>
        <translation>17&#xa0;mails traités.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Storage quota almost reached</source>
        <translation>Quota de stockage bientôt atteint</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>90% of your storage is used.</source>
        <translation>90&#xa0;% de votre espace de stockage est utilisé.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>2 EML files are missing.</source>
        <translation>Il manque 2&#xa0;fichiers EML.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Test notification</source>
        <translation>Notification de test</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Notifications will look like this.</source>
        <translation>Les notifications ressembleront à ceci.</translation>
    </message>
</context>
<context>
    <name>ToastService</name>
    <message>
        <location filename="../../tray_app/services/notifier.py" line="+300"/>
        <source>no notification backend</source>
        <translation>aucun moyen d’afficher les alertes</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Toasts are shown as {0}.</source>
        <translation>Les alertes sont affichées via {0}.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Toasts cannot be shown: {0}.</source>
        <translation>Les alertes ne peuvent pas être affichées&#xa0;: {0}.</translation>
    </message>
</context>
<context>
    <name>TopSendersChart</name>
    <message>
        <location filename="../../tray_app/ui/top_senders_chart.py" line="+43"/>
        <source>Top senders</source>
        <translation>Principaux expéditeurs</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1: %2</source>
        <translation>%1&#xa0;: %2</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <location filename="../../tray_app/ui/tray_icon.py" line="+186"/>
        <source>Open notifications</source>
        <translation>Ouvrir les notifications</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Mark all as read</source>
        <translation>Tout marquer comme lu</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Preferences…</source>
        <translation>Préférences…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refresh now</source>
        <translation>Actualiser maintenant</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+83"/>
        <source>Sign in…</source>
        <translation>Se connecter…</translation>
    </message>
    <message>
        <location line="-79"/>
        <source>Quit</source>
        <translation>Quitter</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pause toasts</source>
        <translation>Suspendre les alertes</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>For 1 hour</source>
        <translation>Pendant 1&#xa0;heure</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Until tomorrow</source>
        <translation>Jusqu’à demain</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resume toasts</source>
        <translation>Réactiver les alertes</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Toasts unavailable: {reason}</source>
        <translation>Alertes indisponibles&#xa0;: {reason}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Keyring unavailable: your sign-in will not be remembered</source>
        <translation>Trousseau indisponible&#xa0;: votre connexion ne sera pas mémorisée</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Sign out</source>
        <translation>Se déconnecter</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+36"/>
        <source>Signed out - sign in again</source>
        <translation>Déconnecté - reconnectez-vous</translation>
    </message>
    <message>
        <location line="-29"/>
        <source>No unread notifications</source>
        <translation>Aucune notification non lue</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n unread</source>
        <translation>
            <numerusform>%n non lue</numerusform>
            <numerusform>%n non lues</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>never synced</source>
        <translation>jamais synchronisé</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>last sync {time}</source>
        <translation>dernière synchronisation&#xa0;: {time}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Connecting… - {sync}</source>
        <translation>Connexion… - {sync}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offline - {sync}</source>
        <translation>Hors ligne - {sync}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Toasts paused until {time}</source>
        <translation>Alertes suspendues jusqu’à {time}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{label}…</source>
        <translation>{label}…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{label}… {percent}%</source>
        <translation>{label}… {percent}&#xa0;%</translation>
    </message>
</context>
</TS>
