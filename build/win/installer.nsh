; cabinet-kiosk: additions to electron-builder's NSIS installer (nsis.include).
;
; The installer is per-machine (nsis.perMachine: Program Files, HKLM). After
; the files are in place it:
;   - writes C:\ProgramData\cabinet-kiosk\config.yaml from
;     resources\config.default.yaml, only when that file does not exist yet,
;     with "database:" pointing at C:\ProgramData\cabinet-kiosk\kiosk.db
;   - lets local users modify C:\ProgramData\cabinet-kiosk (the app runs as
;     the kiosk's autologon user and creates its database, logs and secret there)
;   - sets the machine environment variable CABINET_KIOSK_CONFIG to that file
;     (the app, started from anywhere, and its CLI find it)
;   - starts the app at every logon: value "cabinet-kiosk" under
;     HKLM\Software\Microsoft\Windows\CurrentVersion\Run
; The uninstaller removes the Run value and the variable, and keeps
; C:\ProgramData\cabinet-kiosk (the parcel database). An update runs the old
; uninstaller first (${isUpdated}): then it removes nothing.
;
; Windows does not restart the app after a crash the way systemd's
; Restart=always does on Linux; docs/INSTALL.md says what to use instead.

!include LogicLib.nsh
!include WinMessages.nsh

!define CK_RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define CK_RUN_VALUE "cabinet-kiosk"
!define CK_ENV_KEY "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"
!define CK_ENV_VALUE "CABINET_KIOSK_CONFIG"

; C:\ProgramData\cabinet-kiosk (from %ProgramData%) into VAR.
!macro ckDataDir VAR
  ReadEnvStr ${VAR} "ProgramData"
  ${If} ${VAR} == ""
    StrCpy ${VAR} "C:\ProgramData"
  ${EndIf}
  StrCpy ${VAR} "${VAR}\cabinet-kiosk"
!macroend

!macro customInstall
  Push $R0
  Push $R1
  Push $R2
  Push $R3
  Push $R4

  !insertmacro ckDataDir $R0
  CreateDirectory "$R0"
  ; BUILTIN\Users (S-1-5-32-545): modify, inherited by files and folders.
  nsExec::Exec 'icacls "$R0" /grant *S-1-5-32-545:(OI)(CI)M /T /Q'
  Pop $R1

  ; The default configuration, copied line by line with the database moved
  ; into ProgramData. Never overwrites the technician's file.
  ${IfNot} ${FileExists} "$R0\config.yaml"
    ClearErrors
    FileOpen $R1 "$INSTDIR\resources\config.default.yaml" r
    ${IfNot} ${Errors}
      FileOpen $R2 "$R0\config.yaml" w
      ${Do}
        ClearErrors
        FileRead $R1 $R3
        ${If} ${Errors}
          ${Break}
        ${EndIf}
        StrCpy $R4 $R3 9
        ${If} $R4 == "database:"
          FileWrite $R2 "database: '$R0\kiosk.db'$\n"
        ${Else}
          FileWrite $R2 $R3
        ${EndIf}
      ${Loop}
      FileClose $R2
      FileClose $R1
      DetailPrint "cabinet-kiosk: wrote $R0\config.yaml (demo cabinet on the simulator)"
    ${Else}
      DetailPrint "cabinet-kiosk: resources\config.default.yaml is missing"
    ${EndIf}
  ${EndIf}

  ; CABINET_KIOSK_CONFIG for every process started from now on.
  WriteRegExpandStr HKLM "${CK_ENV_KEY}" "${CK_ENV_VALUE}" "$R0\config.yaml"
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000

  ; Autostart at logon (any user: the kiosk PC logs its kiosk user on automatically).
  WriteRegStr HKLM "${CK_RUN_KEY}" "${CK_RUN_VALUE}" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}"'

  Pop $R4
  Pop $R3
  Pop $R2
  Pop $R1
  Pop $R0
!macroend

!macro customUnInstall
  ${IfNot} ${isUpdated}
    DeleteRegValue HKLM "${CK_RUN_KEY}" "${CK_RUN_VALUE}"
    DeleteRegValue HKLM "${CK_ENV_KEY}" "${CK_ENV_VALUE}"
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
    DetailPrint "cabinet-kiosk: kept the configuration and the parcel database in ProgramData\cabinet-kiosk"
  ${EndIf}
!macroend
