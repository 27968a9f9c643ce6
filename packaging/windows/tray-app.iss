; Inno Setup 6 script: the Windows installer of tray-app, made from the PyInstaller bundle.
;
;   pyinstaller --noconfirm --clean packaging\tray-app.spec
;   iscc /DAppVersion=0.1.0 packaging\windows\tray-app.iss
;
; gives dist\tray-app-0.1.0-setup.exe. It installs per user by default (no administrator
; rights; the user may choose "all users" in the first page), adds a Start menu shortcut
; carrying the app's AppUserModelID, and optionally starts the app at login.
; The file is UTF-8 with a byte order mark, which tells the compiler its encoding.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Mail Notifications"
#define AppExeName "tray-app.exe"
; Must equal WINDOWS_APP_USER_MODEL_ID in tray_app/platform_integration.py: the app
; declares it at start-up, and Windows matches the two to attribute the taskbar entry and
; the toasts to this shortcut (name and icon) instead of to Python.
#define AppUserModelID "TrayApp.TrayApp"
; The value name and command of tray_app/autostart.py, so that the installer's choice and
; the app's own "start at login" setting are one and the same.
#define RunValueName "tray-app"
#define SourceDir "..\..\dist\tray-app"

[Setup]
; Never change AppId: Windows recognises upgrades and the uninstaller by it.
AppId={{AA319C76-FB00-483D-99E1-E9820A958B37}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Tray App developers
DefaultDirName={autopf}\tray-app
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=tray-app-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
; The autostart value goes to the installing user's HKCU even in "all users" mode, on
; purpose (see [Registry]); do not warn about it.
UsedUserAreasWarning=no
; A running copy holds its files open: close it (Restart Manager) before replacing them.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[CustomMessages]
english.ShortcutName=Mail Notifications
french.ShortcutName=Notifications de messagerie
english.AutostartTask=Start {#AppName} when I sign in to Windows
french.AutostartTask=Démarrer {#AppName} à l'ouverture de session Windows
english.StartupGroup=Start-up:
french.StartupGroup=Démarrage :

[Tasks]
Name: "autostart"; Description: "{cm:AutostartTask}"; GroupDescription: "{cm:StartupGroup}"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; Files of an older version that the new bundle no longer has (e.g. a dropped library).
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{cm:ShortcutName}"; Filename: "{app}\{#AppExeName}"; \
    AppUserModelID: "{#AppUserModelID}"; Comment: "{cm:ShortcutName}"

[Registry]
; Start at login, for the current user as the app's own setting does (HKCU\...\Run).
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; \
    ValueType: string; ValueName: "{#RunValueName}"; ValueData: """{app}\{#AppExeName}"""; \
    Flags: uninsdeletevalue; Tasks: autostart
; Without the task (or if the user switched it on later in the app), uninstalling still
; removes the value: "none" creates nothing, the flag deletes the value.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; \
    ValueType: none; ValueName: "{#RunValueName}"; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; \
    Flags: nowait postinstall skipifsilent
