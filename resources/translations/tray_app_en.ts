<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>LoginMessages</name>
    <message numerus="yes">
        <location filename="../../tray_app/ui/messages.py" line="+108"/>
        <source>Too many sign-in attempts. Wait %n second(s), then try again.</source>
        <translation>
            <numerusform>Too many sign-in attempts. Wait %n second, then try again.</numerusform>
            <numerusform>Too many sign-in attempts. Wait %n seconds, then try again.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>NotificationWindow</name>
    <message numerus="yes">
        <location filename="../../tray_app/ui/list_window.py" line="+326"/>
        <source>Notifications (%n unread)</source>
        <translation>
            <numerusform>Notifications (%n unread)</numerusform>
            <numerusform>Notifications (%n unread)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RelativeTime</name>
    <message numerus="yes">
        <location filename="../../tray_app/models/time_text.py" line="+37"/>
        <source>%n min ago</source>
        <translation>
            <numerusform>%n min ago</numerusform>
            <numerusform>%n min ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n h ago</source>
        <translation>
            <numerusform>%n h ago</numerusform>
            <numerusform>%n h ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>%n days ago</source>
        <translation>
            <numerusform>%n days ago</numerusform>
            <numerusform>%n days ago</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ToastCoordinator</name>
    <message numerus="yes">
        <location filename="../../tray_app/services/toasts.py" line="+203"/>
        <source>%n new notification(s)</source>
        <translation>
            <numerusform>%n new notification</numerusform>
            <numerusform>%n new notifications</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message numerus="yes">
        <location filename="../../tray_app/ui/tray_icon.py" line="+295"/>
        <source>%n unread</source>
        <translation>
            <numerusform>%n unread</numerusform>
            <numerusform>%n unread</numerusform>
        </translation>
    </message>
</context>
</TS>
