//! `play token add EMAIL`: a random API token for a teammate, printed once and kept in the
//! store only as its SHA-256.

use rand::RngCore;

use super::to_stdout;
use crate::cli::{TokenArgs, TokenCommand};
use crate::error::Error;
use crate::exit::Exit;

pub fn run(args: &TokenArgs) -> Result<Exit, Error> {
    let TokenCommand::Add(add) = &args.command;
    let email = add.email.trim();
    if !play_compiler::email::is_email(email) {
        return Err(Error::Usage(format!("`{email}` is not an email address: write it as jo@example.com")));
    }
    let place = play_daemon::store_place(&add.path, add.store.as_deref()).map_err(Error::Usage)?;
    let mut store = place.open().map_err(|e| Error::Usage(e.to_string()))?;
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = format!("play_{}", hex::encode(bytes));
    store.add_token(email, &play_daemon::token_hash(&token)).map_err(|e| Error::Usage(e.to_string()))?;
    to_stdout(|out| writeln!(out, "{token}"))?;
    Ok(Exit::Success)
}
