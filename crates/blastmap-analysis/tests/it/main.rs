mod inventory;
mod reference;
mod engine;
mod semantics;
mod availability;
mod cold_start;
mod speed;
