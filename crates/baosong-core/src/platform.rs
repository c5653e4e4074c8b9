//! The only place with `cfg(windows)`: what differs between the clerk's Windows PC and the
//! Linux machines the tests run on.

use std::io;
use std::path::Path;

/// Replace `to` with `from` in one step (both in the same folder).
///
/// On Windows `rename` is `MoveFileExW(MOVEFILE_REPLACE_EXISTING)`, which fails while another
/// program (an antivirus scanner, a backup tool, a search indexer) briefly holds the target open;
/// retry a few times before giving up.
pub fn replace_file(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(windows)]
    {
        let mut last = None;
        for attempt in 0..10u64 {
            match std::fs::rename(from, to) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                    last = Some(e);
                    std::thread::sleep(std::time::Duration::from_millis(20 * (attempt + 1)));
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("rename failed")))
    }
    #[cfg(not(windows))]
    {
        std::fs::rename(from, to)
    }
}

/// Make a rename inside `dir` durable.
///
/// POSIX needs the folder itself fsynced; NTFS journals its metadata and Windows cannot open a
/// folder for flushing without backup privileges, so there it is nothing to do.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(windows)]
    {
        let _ = dir;
        Ok(())
    }
    #[cfg(not(windows))]
    {
        std::fs::File::open(dir)?.sync_all()
    }
}

/// Write a new file only this user can read (the department's signing key): mode 0600 on
/// Linux; on Windows a file in the user's own profile (%LOCALAPPDATA%) inherits the profile's
/// access list, which other users of the PC cannot read. Fails if the file exists.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(())
}

/// The default data folder when `BAOSONG_DATA_DIR` is not set: `%LOCALAPPDATA%\baosong\data`
/// on Windows, `$XDG_DATA_HOME/baosong` (usually `~/.local/share/baosong`) on Linux.
pub fn default_data_dir() -> Option<std::path::PathBuf> {
    directories::ProjectDirs::from("cn", "cqwomen", "baosong")
        .map(|d| d.data_local_dir().to_path_buf())
}

/// Let a command-line subcommand print when the program was started from a console.
///
/// Release builds on Windows are GUI-subsystem programs (no console window flashes up when a clerk
/// double-clicks the exe), so they start without a console; attach to the parent's (the `cmd` or
/// PowerShell window IT staff typed the command in), unless the output is already redirected to a
/// file or a pipe. Nothing to do elsewhere.
pub fn attach_console() {
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::Console::{
            ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_OUTPUT_HANDLE,
        };
        // SAFETY: plain Win32 calls without pointers; failure only means "no parent console".
        unsafe {
            let out = GetStdHandle(STD_OUTPUT_HANDLE);
            if out.is_null() || out == windows_sys::Win32::Foundation::INVALID_HANDLE_VALUE {
                AttachConsole(ATTACH_PARENT_PROCESS);
            }
        }
    }
}

/// Can a native file dialog be shown here? Always on Windows; on Linux only with a desktop
/// portal (reached over the session D-Bus) or zenity, which is what rfd uses.
pub fn file_dialogs_available() -> Result<(), String> {
    #[cfg(windows)]
    {
        Ok(())
    }
    #[cfg(not(windows))]
    {
        let dbus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty());
        let zenity = std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join("zenity").is_file()));
        if dbus || zenity {
            Ok(())
        } else {
            Err("no desktop portal (no session D-Bus) and no zenity".into())
        }
    }
}

/// Start a child process without a console window of its own (Windows flashes one up for a
/// console-subsystem child; nothing to do elsewhere).
pub fn no_console_window(command: &mut std::process::Command) {
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        const CREATE_NO_WINDOW: u32 = 0x0800_0000;
        command.creation_flags(CREATE_NO_WINDOW);
    }
    #[cfg(not(windows))]
    {
        let _ = command;
    }
}

/// Let this process use at most `bytes` of memory from now on: allocations past it fail, which
/// ends a decoder gone wild instead of the machine's memory. Windows: a job object with a
/// process memory limit, this process in it. Elsewhere: the address-space limit (RLIMIT_AS).
pub fn limit_own_memory(bytes: u64) -> io::Result<()> {
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::JobObjects::{
            AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_PROCESS_MEMORY,
            JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
            SetInformationJobObject,
        };
        use windows_sys::Win32::System::Threading::GetCurrentProcess;
        // SAFETY: plain Win32 calls; the limit structure is zeroed then filled, and its size
        // is passed with it. The job handle is kept open for the life of the process.
        unsafe {
            let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
            if job.is_null() {
                return Err(io::Error::last_os_error());
            }
            let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
            info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_PROCESS_MEMORY;
            info.ProcessMemoryLimit = usize::try_from(bytes).unwrap_or(usize::MAX);
            let ok = SetInformationJobObject(
                job,
                JobObjectExtendedLimitInformation,
                (&raw const info).cast(),
                std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            );
            if ok == 0 {
                return Err(io::Error::last_os_error());
            }
            if AssignProcessToJobObject(job, GetCurrentProcess()) == 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }
    #[cfg(unix)]
    {
        let limit = libc::rlimit {
            rlim_cur: bytes as libc::rlim_t,
            rlim_max: bytes as libc::rlim_t,
        };
        // SAFETY: setrlimit reads the structure passed by reference and nothing else.
        let r = unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) };
        if r == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
    #[cfg(not(any(windows, unix)))]
    {
        let _ = bytes;
        Ok(())
    }
}

/// The operating system's credential store: Windows Credential Manager (a generic credential of
/// the user, through the `keyring` crate); on Linux the kernel's key store (keyutils, the user's
/// keyring: no desktop session or D-Bus needed, so it works headless). `Ok(None)`: no such entry.
pub mod credentials {
    #[cfg(windows)]
    fn entry(name: &str) -> Result<keyring::Entry, String> {
        keyring::Entry::new("baosong", name).map_err(|e| e.to_string())
    }

    #[cfg(windows)]
    pub fn get(name: &str) -> Result<Option<String>, String> {
        match entry(name)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    #[cfg(windows)]
    pub fn set(name: &str, secret: &str) -> Result<(), String> {
        entry(name)?.set_password(secret).map_err(|e| e.to_string())
    }

    #[cfg(windows)]
    pub fn delete(name: &str) -> Result<(), String> {
        match entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }

    #[cfg(target_os = "linux")]
    fn ring() -> Result<linux_keyutils::KeyRing, String> {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        KeyRing::from_special_id(KeyRingIdentifier::User, true).map_err(|e| e.to_string())
    }

    #[cfg(target_os = "linux")]
    fn description(name: &str) -> String {
        format!("baosong:{name}")
    }

    /// A key deleted a moment ago may still be found, revoked, until the kernel collects it.
    #[cfg(target_os = "linux")]
    fn gone(e: &linux_keyutils::KeyError) -> bool {
        use linux_keyutils::KeyError;
        matches!(
            e,
            KeyError::KeyDoesNotExist | KeyError::KeyRevoked | KeyError::KeyExpired
        )
    }

    #[cfg(target_os = "linux")]
    pub fn get(name: &str) -> Result<Option<String>, String> {
        let read = ring()?
            .search(&description(name))
            .and_then(|key| key.read_to_vec());
        match read {
            Ok(bytes) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|e| e.to_string()),
            Err(e) if gone(&e) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    #[cfg(target_os = "linux")]
    pub fn set(name: &str, secret: &str) -> Result<(), String> {
        use linux_keyutils::{KeyPermissionsBuilder, Permission};
        let key = ring()?
            .add_key(&description(name), secret)
            .map_err(|e| e.to_string())?;
        // Readable by this user's processes, not only those holding the session that made it.
        let perms = KeyPermissionsBuilder::builder()
            .posessor(Permission::ALL)
            .user(Permission::ALL)
            .build();
        key.set_perms(perms).map_err(|e| e.to_string())
    }

    #[cfg(target_os = "linux")]
    pub fn delete(name: &str) -> Result<(), String> {
        let ring = ring()?;
        match ring.search(&description(name)) {
            // Out of the keyring at once (a search no longer finds it), then destroyed.
            Ok(key) => {
                ring.unlink_key(key).map_err(|e| e.to_string())?;
                match key.invalidate() {
                    Ok(()) => Ok(()),
                    Err(e) if gone(&e) => Ok(()),
                    Err(e) => Err(e.to_string()),
                }
            }
            Err(e) if gone(&e) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }

    #[cfg(not(any(windows, target_os = "linux")))]
    pub fn get(_: &str) -> Result<Option<String>, String> {
        Err("no credential store on this system".into())
    }

    #[cfg(not(any(windows, target_os = "linux")))]
    pub fn set(_: &str, _: &str) -> Result<(), String> {
        Err("no credential store on this system".into())
    }

    #[cfg(not(any(windows, target_os = "linux")))]
    pub fn delete(_: &str) -> Result<(), String> {
        Err("no credential store on this system".into())
    }
}
