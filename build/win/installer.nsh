; cabinet-kiosk: additions to electron-builder's NSIS installer (nsis.include).
;
; The installer is per-machine (nsis.perMachine: Program Files, HKLM). As on
; Linux, the kiosk is two processes run by two accounts:
;   - the agent, a Windows service "cabinet-kiosk-agent" run by its virtual
;     account NT SERVICE\cabinet-kiosk-agent through WinSW
;     (resources\win\cabinet-kiosk-agent.exe + .xml): the only process with
;     the serial port, the database and the secret; restarted on failure
;   - the kiosk window, started at every logon of the kiosk user
;     (HKLM\...\CurrentVersion\Run): a client of the agent over 127.0.0.1
;
; After the files are in place it:
;   - writes C:\ProgramData\cabinet-kiosk\config.yaml from
;     resources\config.default.yaml, only when that file does not exist yet,
;     with "database:" pointing at C:\ProgramData\cabinet-kiosk\kiosk.db
;   - installs and starts the service (when WinSW is in the build; otherwise
;     it says so and the agent must be installed as a service by hand:
;     INSTALL.md section 6)
;   - locks C:\ProgramData\cabinet-kiosk down: full control for SYSTEM and
;     Administrators, modify for the service account, nothing for Users, no
;     inherited entries; Users may read C:\ProgramData\cabinet-kiosk\screen
;     alone, where the agent writes the window's one-time address (screen-url)
;   - sets the machine environment variable CABINET_KIOSK_CONFIG to that file
;     (the agent and its CLI find it)
;   - starts the window at every logon: value "cabinet-kiosk" under
;     HKLM\Software\Microsoft\Windows\CurrentVersion\Run
; The uninstaller stops the service (also before an update replaces the
; files), and, unless this is an update (${isUpdated}), removes the service,
; the Run value and the variable. It keeps C:\ProgramData\cabinet-kiosk
; (the parcel database).

!include LogicLib.nsh
!include WinMessages.nsh

!define CK_RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define CK_RUN_VALUE "cabinet-kiosk"
!define CK_ENV_KEY "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"
!define CK_ENV_VALUE "CABINET_KIOSK_CONFIG"
!define CK_SERVICE "cabinet-kiosk-agent"
; WinSW renamed to the service's name, beside its XML.
!define CK_WRAPPER "$INSTDIR\resources\win\cabinet-kiosk-agent.exe"

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
  CreateDirectory "$R0\screen"

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

  ; The agent as a service (its virtual account exists once the service does).
  ${If} ${FileExists} "${CK_WRAPPER}"
    nsExec::Exec '"${CK_WRAPPER}" install'
    Pop $R1
  ${Else}
    DetailPrint "cabinet-kiosk: WinSW is not in this build (resources\win\cabinet-kiosk-agent.exe): install the agent as a service by hand (INSTALL.md)"
  ${EndIf}

  ; ProgramData\cabinet-kiosk: SYSTEM (S-1-5-18) and Administrators
  ; (S-1-5-32-544) full control, the service's account modify, no inherited
  ; entries, so BUILTIN\Users (S-1-5-32-545) get nothing: not the database,
  ; not cabinet.secret, not the logs, not the control pipe's folder.
  nsExec::Exec 'icacls "$R0" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F "NT SERVICE\${CK_SERVICE}:(OI)(CI)M" /T /Q'
  Pop $R1
  ; An earlier version let Users modify the folder: take that entry away.
  nsExec::Exec 'icacls "$R0" /remove:g *S-1-5-32-545 /T /Q'
  Pop $R1
  ; The window (any logged-on user) reads its one-time address, and only that.
  nsExec::Exec 'icacls "$R0\screen" /grant *S-1-5-32-545:(OI)(CI)R /Q'
  Pop $R1

  ${If} ${FileExists} "${CK_WRAPPER}"
    nsExec::Exec '"${CK_WRAPPER}" start'
    Pop $R1
  ${EndIf}

  ; The window at logon (any user: the kiosk PC logs its kiosk user on
  ; automatically). It finds the agent through ProgramData\cabinet-kiosk\screen\screen-url.
  WriteRegStr HKLM "${CK_RUN_KEY}" "${CK_RUN_VALUE}" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}"'

  Pop $R4
  Pop $R3
  Pop $R2
  Pop $R1
  Pop $R0
!macroend

!macro customUnInstall
  ; Stopped in any case: an update cannot replace the files of a running agent.
  ${If} ${FileExists} "${CK_WRAPPER}"
    nsExec::Exec '"${CK_WRAPPER}" stop'
    Pop $0
  ${EndIf}
  ${IfNot} ${isUpdated}
    ${If} ${FileExists} "${CK_WRAPPER}"
      nsExec::Exec '"${CK_WRAPPER}" uninstall'
      Pop $0
    ${EndIf}
    DeleteRegValue HKLM "${CK_RUN_KEY}" "${CK_RUN_VALUE}"
    DeleteRegValue HKLM "${CK_ENV_KEY}" "${CK_ENV_VALUE}"
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
    DetailPrint "cabinet-kiosk: kept the configuration and the parcel database in ProgramData\cabinet-kiosk"
  ${EndIf}
!macroend
