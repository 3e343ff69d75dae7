mod availability;
mod cold_start;
mod engine;
mod inventory;
mod reference;
mod semantics;
mod speed;
