import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccessGuard, RequireRoles } from '@hum/auth';
import { LocalUsersService } from '../auth/local-users.service';

@ApiTags('users')
@ApiBearerAuth()
@ApiCookieAuth()
@Controller('v1/users')
@UseGuards(AccessGuard)
export class UsersController {
  constructor(private readonly users: LocalUsersService) {}

  @Get()
  @RequireRoles('admin', 'approver')
  @ApiOperation({
    summary: 'Local users and their roles (never their password hashes)',
    description:
      'Users are not created or given roles through this API: a person who could grant roles could approve their own proposals under a second name. They come from ADMIN_BOOTSTRAP_USERS on an empty database, or from the OIDC provider.',
  })
  async list() {
    return { users: await this.users.list() };
  }
}
